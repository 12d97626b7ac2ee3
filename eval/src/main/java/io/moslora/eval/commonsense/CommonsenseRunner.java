package io.moslora.eval.commonsense;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moslora.eval.model.GenerationSettings;
import io.moslora.eval.model.VisionLanguageModel;
import io.moslora.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * LLM-Adapters' commonsense evaluation loop: each instruction goes to the model inside the Alpaca prompt; the
 * result file ({@code {model}-{dataset}.json}, the script's format: the dataset rows plus {@code output_pred},
 * {@code pred}, {@code flag}) is saved atomically as it grows, and with {@code reuse} finished rows are kept.
 */
public record CommonsenseRunner(Path workDir, boolean reuse, int saveEvery, PrintStream progress) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public Path resultFile(VisionLanguageModel model, CommonsenseTask task) {
        return workDir.resolve(model.name() + "-" + task.folder() + ".json");
    }

    public CommonsenseScore run(VisionLanguageModel model, CommonsenseTask task, Path datasetFile) {
        List<CommonsenseData.Item> items = CommonsenseData.readDataset(datasetFile);
        Path out = resultFile(model, task);
        List<String> outputs = new ArrayList<>();
        if (reuse && Files.isRegularFile(out)) {
            outputs.addAll(CommonsenseData.readPartialOutputs(out, items, datasetFile));
        }
        int sinceSave = 0;
        try (ProgressBar bar = progress == null || outputs.size() == items.size() ? null
                : new ProgressBarBuilder().setTaskName(task.shortName()).setInitialMax(items.size() - outputs.size())
                        .setConsumer(new ConsoleProgressBarConsumer(progress)).build()) {
            for (int i = outputs.size(); i < items.size(); i++) {
                String prompt = AlpacaPrompt.build(items.get(i).instruction());
                outputs.add(model.generate(List.of(), prompt, GenerationSettings.COMMONSENSE));
                if (bar != null) {
                    bar.step();
                }
                if (++sinceSave >= saveEvery) {
                    save(out, task, datasetFile, outputs);
                    sinceSave = 0;
                }
            }
        }
        save(out, task, datasetFile, outputs);
        return CommonsenseScore.of(task, items, outputs);
    }

    private static void save(Path out, CommonsenseTask task, Path datasetFile, List<String> outputs) {
        try {
            JsonNode rows = JSON.readTree(datasetFile.toFile());
            ArrayNode result = JSON.createArrayNode();
            for (int i = 0; i < outputs.size(); i++) {
                ObjectNode row = ((ObjectNode) rows.get(i)).deepCopy();
                String pred = task.extract(outputs.get(i));
                row.put("output_pred", outputs.get(i));
                row.put("pred", pred);
                row.put("flag", pred.equals(row.path("answer").asText()));
                result.add(row);
            }
            AtomicFiles.writeBytes(out, JSON.writeValueAsBytes(result));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }
}
