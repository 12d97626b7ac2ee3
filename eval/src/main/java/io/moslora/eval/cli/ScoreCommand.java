package io.moslora.eval.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.eval.data.DataFolder;
import io.moslora.eval.data.DatasetKind;
import io.moslora.eval.data.Predictions;
import io.moslora.eval.data.VlmDataset;
import io.moslora.eval.score.ScoreResult;
import io.moslora.eval.score.Scorer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code moslora eval score}: scores a prediction file made by any tool against a VLMEvalKit TSV. */
@Command(
        name = "score",
        mixinStandardHelpOptions = true,
        description = {"Score predictions (.xlsx from VLMEvalKit or eval run, .tsv, .csv) against a VLMEvalKit TSV.",
            "Writes the score file beside the predictions (X_acc.csv or X_score.csv), as VLMEvalKit does."})
public final class ScoreCommand implements Runnable {
    /** The kinds a user may force; judge-scored sets are recognised by name only. */
    enum Kind {
        mcq(DatasetKind.MCQ), circular(DatasetKind.CIRCULAR), yorn(DatasetKind.YORN), vqa(DatasetKind.VQA);

        final DatasetKind kind;

        Kind(DatasetKind kind) {
            this.kind = kind;
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, description = "The dataset TSV (its file name is the dataset name), "
            + "or a dataset name looked up as NAME.tsv in the data folder")
    String data;

    @Option(names = "--data-dir", description = "Data folder for --data NAME (default: $LMUData, else ~/LMUData)")
    Path dataDir;

    @Option(names = "--predictions", required = true, description = "Predictions with columns index and prediction")
    Path predictions;

    @Option(names = "--kind", description = "Override the evaluation: ${COMPLETION-CANDIDATES} "
            + "(default: from the dataset name, else MCQ when the TSV has option columns, else VQA)")
    Kind kind;

    @Option(names = "--json", description = "Print one JSON object (\"overall\" is the headline percent)")
    boolean json;

    @Option(names = "--no-score-file", description = "Do not write the _acc.csv/_score.csv file")
    boolean noScoreFile;

    @Mixin
    JudgeOptions judgeOptions;

    @Override
    public void run() {
        VlmDataset dataset = VlmDataset.load(DataFolder.resolve(data, dataDir), kind == null ? null : kind.kind);
        ScoreResult result = Scorer.score(dataset, Predictions.read(predictions), judgeOptions.judge());
        Path written = noScoreFile ? null : Scorer.writeScoreFile(predictions, result);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            try {
                out.println(new ObjectMapper().writeValueAsString(result.json()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            printText(out, result, written);
        }
        out.flush();
    }

    static void printText(PrintWriter out, ScoreResult result, Path written) {
        out.println(result.dataset() + " (" + result.kind().name().toLowerCase(Locale.ROOT) + ")");
        if (result.needsJudge()) {
            out.println("  overall: " + ScoreResult.NEEDS_JUDGE + " (pass --judge-url and --judge-model)");
            return;
        }
        out.println(String.format(Locale.ROOT, "  overall: %.2f", result.overall()));
        for (Map.Entry<String, Object> e : result.json().entrySet()) {
            if (e.getValue() instanceof Double d && !e.getKey().equals("overall")) {
                out.println(String.format(Locale.ROOT, "  %s: %.2f", e.getKey(), d));
            }
        }
        for (Map.Entry<String, Double> e : result.categories().entrySet()) {
            out.println(String.format(Locale.ROOT, "  %-40s %.2f", e.getKey(), e.getValue()));
        }
        if (written != null) {
            out.println("wrote " + written);
        }
    }
}
