package io.moslora.eval.data;

import io.moslora.cli.UserError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A prediction file from any tool ({@code .xlsx} as VLMEvalKit writes it, or {@code .tsv}/{@code .csv}): one row per
 * question with its {@code index} and the model's {@code prediction}. It must answer exactly the dataset's
 * questions — a missing or unknown index is an error, never a silent zero.
 */
public final class Predictions {
    /** What {@code str(NaN)} gives: VLMEvalKit scores an empty prediction cell as this text. */
    public static final String MISSING = "nan";

    private final Path file;
    private final Map<String, String> byIndex;

    private Predictions(Path file, Map<String, String> byIndex) {
        this.file = file;
        this.byIndex = byIndex;
    }

    public static Predictions read(Path file) {
        Table t = TableReader.read(file);
        t.requireColumn("index");
        t.requireColumn("prediction");
        Map<String, String> map = new HashMap<>();
        Map<String, Integer> rowOf = new HashMap<>();
        for (int r = 0; r < t.size(); r++) {
            String idx = VlmDataset.normalizeIndex(t.require(r, "index"));
            String pred = t.get(r, "prediction");
            Integer before = rowOf.putIfAbsent(idx, r);
            if (before != null) {
                throw new UserError(t.where(r, "index") + ": duplicate index " + idx + " (also row " + (before + 1)
                        + "); keep one prediction per question");
            }
            map.put(idx, pred == null ? MISSING : pred);
        }
        return new Predictions(file, map);
    }

    /** Predictions held in memory (from a run), keyed by dataset index. */
    public static Predictions of(Path file, Map<String, String> byIndex) {
        return new Predictions(file, Map.copyOf(byIndex));
    }

    public Path file() {
        return file;
    }

    public int size() {
        return byIndex.size();
    }

    /** Checks that the predictions answer every question of {@code data} and nothing else. */
    public void requireCovers(VlmDataset data) {
        List<String> missing = new ArrayList<>();
        for (String idx : data.indexes()) {
            if (!byIndex.containsKey(idx)) {
                missing.add(idx);
            }
        }
        if (!missing.isEmpty()) {
            throw new UserError(file + ": column 'prediction' has no row for " + missing.size() + " of "
                    + data.size() + " questions of " + data.file() + " (first missing index " + missing.get(0)
                    + "); run inference for them or score against the matching dataset file");
        }
        for (String idx : byIndex.keySet()) {
            if (data.rowOf(idx) < 0) {
                throw new UserError(file + ": column 'index' has " + idx + ", which is not in " + data.file()
                        + "; the predictions belong to another dataset");
            }
        }
    }

    /** True when the file has a row for {@code index}. */
    public boolean has(String index) {
        return byIndex.containsKey(VlmDataset.normalizeIndex(index));
    }

    /** The prediction text for a dataset index ("nan" for an empty cell, as pandas gives it). */
    public String of(String index) {
        String p = byIndex.get(VlmDataset.normalizeIndex(index));
        if (p == null) {
            throw new UserError(file + ": no prediction for index " + index);
        }
        return p;
    }
}
