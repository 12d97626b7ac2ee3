package io.moslora.eval.commonsense;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.cli.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * LLM-Adapters' JSON files: a dataset is a list of rows with {@code instruction} and {@code answer}; a result file
 * (what its script writes) is the same rows plus {@code output_pred}, the model's raw answer.
 */
public final class CommonsenseData {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One question: the instruction shown to the model and the expected answer word. */
    public record Item(String instruction, String answer) {}

    private CommonsenseData() {}

    public static List<Item> readDataset(Path file) {
        List<Item> items = new ArrayList<>();
        JsonNode root = readArray(file);
        for (int i = 0; i < root.size(); i++) {
            items.add(new Item(text(file, root.get(i), i, "instruction"), text(file, root.get(i), i, "answer")));
        }
        return items;
    }

    /** The raw model outputs ({@code output_pred}) of a result file, in order, checked against the dataset. */
    public static List<String> readOutputs(Path file, List<Item> dataset, Path datasetFile) {
        JsonNode root = readArray(file);
        if (root.size() != dataset.size()) {
            throw new UserError(file + ": has " + root.size() + " rows but " + datasetFile + " has "
                    + dataset.size() + "; the predictions must cover the whole dataset, in order");
        }
        List<String> outputs = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode row = root.get(i);
            JsonNode instruction = row.get("instruction");
            if (instruction != null && !instruction.asText().equals(dataset.get(i).instruction())) {
                throw new UserError(file + ": row " + (i + 1) + " field 'instruction' differs from row " + (i + 1)
                        + " of " + datasetFile + "; the files are not in the same order");
            }
            outputs.add(text(file, row, i, "output_pred"));
        }
        return outputs;
    }

    /** The outputs of a result file that may stop early (an interrupted run), checked row by row. */
    public static List<String> readPartialOutputs(Path file, List<Item> dataset, Path datasetFile) {
        JsonNode root = readArray(file);
        if (root.size() > dataset.size()) {
            throw new UserError(file + ": has " + root.size() + " rows, more than the " + dataset.size() + " of "
                    + datasetFile + "; it belongs to another dataset");
        }
        List<String> outputs = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode row = root.get(i);
            JsonNode instruction = row.get("instruction");
            if (instruction != null && !instruction.asText().equals(dataset.get(i).instruction())) {
                throw new UserError(file + ": row " + (i + 1) + " field 'instruction' differs from row " + (i + 1)
                        + " of " + datasetFile + "; the files are not in the same order");
            }
            outputs.add(text(file, row, i, "output_pred"));
        }
        return outputs;
    }

    private static JsonNode readArray(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserError(file + ": file not found");
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isArray()) {
                throw new UserError(file + ": expected a JSON list of rows");
            }
            return root;
        } catch (IOException e) {
            throw new UserError(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
    }

    private static String text(Path file, JsonNode row, int i, String field) {
        JsonNode v = row == null ? null : row.get(field);
        if (v == null || v.isNull() || v.isContainerNode()) {
            throw new UserError(file + ": row " + (i + 1) + " field '" + field + "' is missing");
        }
        return v.asText();
    }
}
