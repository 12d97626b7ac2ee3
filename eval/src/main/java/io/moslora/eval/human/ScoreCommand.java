package io.moslora.eval.human;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code human-eval score}: un-blinds the raters' vote files with the key and reports win/tie/loss and agreement. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Un-blind the raters' vote files with the key and report A against B.",
                "Checks every vote file against the key and reports, per criterion, A's win/tie/loss percentages"
                        + " against B and delta = win - loss (overall and per subject), and the raters' agreement"
                        + " (Fleiss' kappa over win/tie/loss)."})
public final class ScoreCommand implements Runnable {
    @Spec CommandSpec spec;

    @Option(names = "--key", paramLabel = "FILE", required = true, description = "key.json written by export")
    Path keyFile;

    @Option(names = "--votes", paramLabel = "CSV", required = true, arity = "1..*",
            description = "The CSV files the raters exported, one per rater")
    List<Path> voteFiles;

    @Option(names = "--json", description = "Print JSON: one object per criterion with win, tie, loss, delta in percent")
    boolean json;

    @Override
    public void run() {
        StudyKey key = StudyKey.read(keyFile);
        List<RaterVotes> files = new ArrayList<>();
        for (Path f : voteFiles) {
            files.add(VoteFile.read(f, key));
        }
        HumanEvalScores scores = HumanEvalScores.of(key, files);
        spec.commandLine().getOut().print(json ? ScoreReport.json(scores) : ScoreReport.text(scores));
    }
}
