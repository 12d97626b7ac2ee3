package io.moslora.eval.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.cli.UserError;
import io.moslora.eval.commonsense.CommonsenseData;
import io.moslora.eval.commonsense.CommonsenseScore;
import io.moslora.eval.commonsense.CommonsenseTask;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code moslora eval commonsense-score}: LLM-Adapters' accuracy on result files, per dataset and averaged. */
@Command(
        name = "commonsense-score",
        mixinStandardHelpOptions = true,
        description = {"Score LLM-Adapters commonsense result files (rows with output_pred) against their datasets.",
            "Give --dataset and --predictions once per dataset, in the same order; prints each accuracy and the "
                    + "average (the paper's Table 4)."})
public final class CommonsenseScoreCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--dataset", required = true, description = "Dataset JSON (rows with instruction, answer), "
            + "e.g. dataset/boolq/test.json; the task comes from its folder or file name")
    List<Path> datasets;

    @Option(names = "--predictions", required = true, description = "Result JSON (rows with output_pred)")
    List<Path> predictions;

    @Option(names = "--name", description = "Task name per dataset when the file name does not say it "
            + "(boolq, piqa, social_i_qa, hellaswag, winogrande, ARC-Challenge, ARC-Easy, openbookqa)")
    List<String> names = new ArrayList<>();

    @Option(names = "--json", description = "Print one JSON object (\"overall\" is the average percent)")
    boolean json;

    @Override
    public void run() {
        if (datasets.size() != predictions.size()) {
            throw new UserError("--predictions: given " + predictions.size() + " times but --dataset "
                    + datasets.size() + " times; pass one prediction file per dataset");
        }
        if (!names.isEmpty() && names.size() != datasets.size()) {
            throw new UserError("--name: given " + names.size() + " times; give it once per --dataset or not at all");
        }
        List<CommonsenseScore> scores = new ArrayList<>();
        for (int i = 0; i < datasets.size(); i++) {
            Path d = datasets.get(i);
            CommonsenseTask task = names.isEmpty() ? CommonsenseTask.ofFile(d)
                    : CommonsenseTask.fromName(names.get(i), "--name");
            List<CommonsenseData.Item> items = CommonsenseData.readDataset(d);
            List<String> outputs = CommonsenseData.readOutputs(predictions.get(i), items, d);
            scores.add(CommonsenseScore.of(task, items, outputs));
        }
        double average = CommonsenseScore.average(scores);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> obj = new LinkedHashMap<>();
            obj.put("overall", average);
            Map<String, Object> per = new LinkedHashMap<>();
            for (CommonsenseScore s : scores) {
                per.put(s.task().shortName(), Map.of("accuracy", s.percent(), "correct", s.correct(),
                        "total", s.total()));
            }
            obj.put("datasets", per);
            try {
                out.println(new ObjectMapper().writeValueAsString(obj));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            for (CommonsenseScore s : scores) {
                out.println(String.format(Locale.ROOT, "%-12s %6.2f  (%d/%d)", s.task().shortName(), s.percent(),
                        s.correct(), s.total()));
            }
            out.println(String.format(Locale.ROOT, "%-12s %6.2f", "Avg.", average));
        }
        out.flush();
    }
}
