package io.moslora.eval.cli;

import io.moslora.cli.UserError;
import io.moslora.eval.commonsense.CommonsenseRunner;
import io.moslora.eval.commonsense.CommonsenseScore;
import io.moslora.eval.commonsense.CommonsenseTask;
import io.moslora.eval.model.VisionLanguageModel;
import io.moslora.eval.model.VisionLanguageModelProvider;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code moslora eval commonsense}: LLM-Adapters' commonsense evaluation of a model. */
@Command(
        name = "commonsense",
        mixinStandardHelpOptions = true,
        description = {"Evaluate a model on LLM-Adapters' commonsense sets (Alpaca prompt, per-dataset answer "
                + "extraction); writes {model}-{dataset}.json result files and prints each accuracy and the average."})
public final class CommonsenseCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "Model folder")
    Path model;

    @Option(names = "--adapter", description = "Adapter folder applied to the model")
    Path adapter;

    @Option(names = "--dataset", required = true, description = "Dataset name (boolq, piqa, social_i_qa, hellaswag, "
            + "winogrande, ARC-Challenge, ARC-Easy, openbookqa; read from DATA-DIR/NAME/test.json) or a JSON file; "
            + "repeat for several")
    List<String> datasets;

    @Option(names = "--data-dir", defaultValue = "dataset", description = "LLM-Adapters data folder "
            + "(default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--work-dir", defaultValue = "outputs", description = "Where result files go "
            + "(default: ${DEFAULT-VALUE})")
    Path workDir;

    @Option(names = "--reuse", description = "Keep the rows of an existing result file")
    boolean reuse;

    @Override
    public void run() {
        List<Path> files = new ArrayList<>();
        List<CommonsenseTask> tasks = new ArrayList<>();
        for (String d : datasets) {
            Path f = d.endsWith(".json") ? Path.of(d) : dataDir.resolve(CommonsenseTask.fromName(d, "--dataset")
                    .folder()).resolve("test.json");
            if (!Files.isRegularFile(f)) {
                throw new UserError("--dataset: " + f + " not found; pass --data-dir or the JSON file itself");
            }
            files.add(f);
            tasks.add(d.endsWith(".json") ? CommonsenseTask.ofFile(f) : CommonsenseTask.fromName(d, "--dataset"));
        }
        VisionLanguageModel m = VisionLanguageModelProvider.load(model, adapter);
        CommonsenseRunner runner = new CommonsenseRunner(workDir, reuse, 20, System.err);
        List<CommonsenseScore> scores = new ArrayList<>();
        PrintWriter out = spec.commandLine().getOut();
        for (int i = 0; i < files.size(); i++) {
            CommonsenseScore s = runner.run(m, tasks.get(i), files.get(i));
            scores.add(s);
            out.println(String.format(Locale.ROOT, "%-12s %6.2f  (%d/%d)", s.task().shortName(), s.percent(),
                    s.correct(), s.total()));
            out.flush();
        }
        out.println(String.format(Locale.ROOT, "%-12s %6.2f", "Avg.", CommonsenseScore.average(scores)));
        out.flush();
    }
}
