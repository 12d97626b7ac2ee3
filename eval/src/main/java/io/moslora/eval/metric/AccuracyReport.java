package io.moslora.eval.metric;

import io.moslora.eval.data.DatasetKind;
import io.moslora.eval.data.VlmDataset;
import io.moslora.eval.score.ScoreResult;
import io.moslora.eval.text.PyFloat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * VLMEvalKit's {@code report_acc} for multiple-choice sets: accuracy per split, overall and per
 * {@code l2-category} and {@code category} (MMBench's ability names abbreviated as on its leaderboard). Accuracy is a
 * fraction in the {@code _acc.csv}, a percent in the JSON.
 */
public final class AccuracyReport {
    private static final Map<String, String> MMBENCH_ABBREVIATIONS = Map.of(
            "coarse_perception", "CP",
            "finegrained_perception (instance-level)", "FP-S",
            "finegrained_perception (cross-instance)", "FP-C",
            "logic_reasoning", "LR",
            "relation_reasoning", "RR",
            "attribute_reasoning", "AR");
    private static final String NO_SPLIT = "none";

    private AccuracyReport() {}

    /**
     * @param rows dataset rows that were scored (for CircularEval: one row per question group)
     * @param hits 1 for right, 0 for wrong, one per entry of {@code rows}
     */
    public static ScoreResult build(VlmDataset data, List<Integer> rows, List<Integer> hits) {
        boolean hasSplit = data.table().has("split");
        TreeSet<String> splits = new TreeSet<>();
        for (int r : rows) {
            splits.add(splitOf(data, r, hasSplit));
        }
        Map<String, List<Double>> columns = new LinkedHashMap<>();
        columns.put("Overall", perSplit(data, rows, hits, splits, hasSplit, null, null));
        for (String group : List.of("l2-category", "category")) {
            if (!data.table().has(group)) {
                continue;
            }
            for (String ability : valuesOf(data, rows, group)) {
                columns.put(MMBENCH_ABBREVIATIONS.getOrDefault(ability, ability),
                        perSplit(data, rows, hits, splits, hasSplit, group, ability));
            }
        }
        List<String> header = new ArrayList<>();
        header.add("split");
        header.addAll(columns.keySet());
        List<List<String>> csv = new ArrayList<>();
        int s = 0;
        for (String split : splits) {
            List<String> line = new ArrayList<>();
            line.add(split);
            for (List<Double> v : columns.values()) {
                line.add(PyFloat.repr(v.get(s)));
            }
            csv.add(line);
            s++;
        }

        double overall = mean(hits, rows, i -> true) * 100;
        DatasetKind kind = data.kind();
        Map<String, Object> json = ScoreResult.jsonHead(data.name(), kind, overall);
        json.put("questions", rows.size());
        if (splits.size() > 1) {
            Map<String, Double> bySplit = new LinkedHashMap<>();
            int k = 0;
            for (String split : splits) {
                bySplit.put(split, columns.get("Overall").get(k++) * 100);
            }
            json.put("splits", bySplit);
        }
        Map<String, Double> categories = new LinkedHashMap<>();
        for (String group : List.of("l2-category", "category")) {
            if (!data.table().has(group)) {
                continue;
            }
            Map<String, Double> byValue = new LinkedHashMap<>();
            for (String ability : valuesOf(data, rows, group)) {
                byValue.put(ability, mean(hits, rows, r -> ability.equals(data.get(r, group))) * 100);
            }
            json.put(group, byValue);
            if (group.equals("category")) {
                categories.putAll(byValue);
            }
        }
        return new ScoreResult(data.name(), kind, overall, json, categories, kind.scoreSuffix(), header, csv);
    }

    private static String splitOf(VlmDataset data, int row, boolean hasSplit) {
        if (!hasSplit) {
            return NO_SPLIT;
        }
        String v = data.get(row, "split");
        return v == null ? "nan" : v;
    }

    private static TreeSet<String> valuesOf(VlmDataset data, List<Integer> rows, String column) {
        TreeSet<String> values = new TreeSet<>();
        for (int r : rows) {
            String v = data.get(r, column);
            if (v != null) {
                values.add(v);
            }
        }
        return values;
    }

    private static List<Double> perSplit(VlmDataset data, List<Integer> rows, List<Integer> hits,
            TreeSet<String> splits, boolean hasSplit, String group, String value) {
        List<Double> out = new ArrayList<>();
        for (String split : splits) {
            out.add(mean(hits, rows, r -> splitOf(data, r, hasSplit).equals(split)
                    && (group == null || value.equals(data.get(r, group)))));
        }
        return out;
    }

    /** Mean hit over the rows passing {@code keep}; NaN for none (numpy's mean of an empty array). */
    private static double mean(List<Integer> hits, List<Integer> rows, java.util.function.IntPredicate keep) {
        long sum = 0;
        int n = 0;
        for (int i = 0; i < rows.size(); i++) {
            if (keep.test(rows.get(i))) {
                sum += hits.get(i);
                n++;
            }
        }
        return n == 0 ? Double.NaN : (double) sum / n;
    }
}
