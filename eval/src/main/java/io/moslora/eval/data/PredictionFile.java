package io.moslora.eval.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes predictions in VLMEvalKit's layout: {@code {model}_{dataset}.xlsx}, the dataset's columns in their order
 * without the bulky {@code image} column, plus {@code prediction}. VLMEvalKit (and our {@code eval score}) can score
 * such a file directly.
 */
public final class PredictionFile {
    private PredictionFile() {}

    public static String fileName(String model, String dataset) {
        return model + "_" + dataset + ".xlsx";
    }

    /** Writes the rows whose index has a prediction (all of them once a run is complete), atomically. */
    public static void write(Path target, VlmDataset data, Map<String, String> predictionByIndex) {
        List<String> columns = new ArrayList<>();
        for (String c : data.table().columns()) {
            if (!c.equals("image") && !c.equals("prediction")) {
                columns.add(c);
            }
        }
        columns.add("prediction");
        List<List<String>> rows = new ArrayList<>();
        for (int r = 0; r < data.size(); r++) {
            String pred = predictionByIndex.get(data.index(r));
            if (pred == null) {
                continue;
            }
            List<String> row = new ArrayList<>(columns.size());
            for (String c : columns.subList(0, columns.size() - 1)) {
                row.add(c.equals("index") ? data.index(r) : data.get(r, c));
            }
            row.add(pred);
            rows.add(row);
        }
        TableWriter.writeXlsx(target, columns, rows);
    }
}
