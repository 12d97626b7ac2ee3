package io.moslora.eval.metric;

import io.moslora.cli.UserError;
import io.moslora.eval.data.DatasetCatalog;
import io.moslora.eval.data.Predictions;
import io.moslora.eval.data.VlmDataset;
import io.moslora.eval.extract.YesNoExtraction;
import io.moslora.eval.judge.Judge;
import io.moslora.eval.judge.JudgePrompts;
import io.moslora.eval.score.ScoreResult;
import io.moslora.eval.text.PyFloat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Yes/no benchmarks as VLMEvalKit scores them. MME: per category {@code acc} (questions right) plus {@code acc+}
 * (images whose two questions are both right), score = acc + acc+ (max 200); perception = sum of 10 categories
 * (max 2000), cognition ("reasoning" in VLMEvalKit's file) = sum of 4 (max 800). Other yes/no sets: plain accuracy.
 */
public final class YesNoEvaluation {
    public static final List<String> MME_PERCEPTION = List.of("OCR", "artwork", "celebrity", "color", "count",
            "existence", "landmark", "position", "posters", "scene");
    public static final List<String> MME_COGNITION = List.of("code_reasoning", "commonsense_reasoning",
            "numerical_calculation", "text_translation");
    /** MME's maximum total (2000 + 800): the paper's averages put MME on a 0–100 scale as total / 2800 · 100. */
    public static final double MME_MAX_TOTAL = 2800;
    private static final int JUDGE_TRIES = 5;

    private YesNoEvaluation() {}

    public static ScoreResult evaluate(VlmDataset data, Predictions predictions, Judge judge) {
        int n = data.size();
        int[] score = new int[n];
        for (int r = 0; r < n; r++) {
            String pred = predictions.of(data.index(r));
            String extracted = YesNoExtraction.extract(pred);
            if (extracted.equals(YesNoExtraction.UNKNOWN) && judge != null) {
                extracted = askJudge(judge, data.question(r), pred);
            }
            score[r] = data.answer(r).equals(extracted) ? 1 : 0;
        }
        return DatasetCatalog.isMme(data.name()) ? mme(data, score) : plain(data, score);
    }

    /** VLMEvalKit's {@code YOrN_auxeval}: up to five tries with temperature 0, 0.5, 1, ... */
    private static String askJudge(Judge judge, String question, String prediction) {
        String prompt = JudgePrompts.yesNoMatch(question, prediction);
        for (int i = 0; i < JUDGE_TRIES; i++) {
            String ans = YesNoExtraction.extract(judge.generate(prompt, 0.5 * i));
            if (!ans.equals(YesNoExtraction.UNKNOWN)) {
                return ans;
            }
        }
        return YesNoExtraction.UNKNOWN;
    }

    private static ScoreResult mme(VlmDataset data, int[] score) {
        data.table().requireColumn("category");
        // category -> image -> scores of that image's questions, in file order
        Map<String, Map<String, List<Integer>>> stats = new LinkedHashMap<>();
        for (int r = 0; r < data.size(); r++) {
            stats.computeIfAbsent(data.table().require(r, "category"), c -> new LinkedHashMap<>())
                    .computeIfAbsent(data.imageKey(r), k -> new ArrayList<>()).add(score[r]);
        }
        Map<String, Double> acc = new LinkedHashMap<>();
        Map<String, Double> accPlus = new LinkedHashMap<>();
        Map<String, Double> categoryScore = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, List<Integer>>> e : stats.entrySet()) {
            long right = 0;
            int questions = 0;
            int bothRight = 0;
            for (Map.Entry<String, List<Integer>> img : e.getValue().entrySet()) {
                List<Integer> s = img.getValue();
                if (s.size() < 2) {
                    throw new UserError(data.file() + ": column 'image_path' value '" + img.getKey() + "' (category "
                            + e.getKey() + ") has " + s.size() + " question; MME pairs two questions per image");
                }
                for (int v : s) {
                    right += v;
                }
                questions += s.size();
                bothRight += s.get(0) * s.get(1);
            }
            double a = (double) right / questions * 100;
            double ap = (double) bothRight / e.getValue().size() * 100;
            acc.put(e.getKey(), a);
            accPlus.put(e.getKey(), ap);
            categoryScore.put(e.getKey(), a + ap);
        }
        double perception = sum(categoryScore, MME_PERCEPTION);
        double cognition = sum(categoryScore, MME_COGNITION);
        double total = perception + cognition;

        List<String> header = new ArrayList<>(List.of("perception", "reasoning"));
        List<String> row = new ArrayList<>(List.of(PyFloat.repr(perception), PyFloat.repr(cognition)));
        categoryScore.forEach((k, v) -> {
            header.add(k);
            row.add(PyFloat.repr(v));
        });
        Map<String, Object> json = ScoreResult.jsonHead(data.name(), data.kind(), 100 * total / MME_MAX_TOTAL);
        json.put("perception", perception);
        json.put("cognition", cognition);
        json.put("total", total);
        json.put("category", categoryScore);
        json.put("acc", acc);
        json.put("acc+", accPlus);
        return new ScoreResult(data.name(), data.kind(), 100 * total / MME_MAX_TOTAL, json, categoryScore,
                data.kind().scoreSuffix(), header, List.of(row));
    }

    private static double sum(Map<String, Double> scores, List<String> categories) {
        double s = 0;
        for (String c : categories) {
            s += scores.getOrDefault(c, 0.0);
        }
        return s;
    }

    /** VLMEvalKit's {@code default_rating}: accuracy overall, per category and per l2-category (percent). */
    private static ScoreResult plain(VlmDataset data, int[] score) {
        Map<String, Double> res = new LinkedHashMap<>();
        res.put("Overall", mean(data, score, null, null));
        Map<String, Double> categories = new LinkedHashMap<>();
        for (String group : List.of("category", "l2-category")) {
            if (!data.table().has(group)) {
                continue;
            }
            TreeSet<String> values = new TreeSet<>();
            for (int r = 0; r < data.size(); r++) {
                if (data.get(r, group) != null) {
                    values.add(data.get(r, group));
                }
            }
            for (String v : values) {
                double m = mean(data, score, group, v);
                res.put(v, m);
                if (group.equals("category")) {
                    categories.put(v, m);
                }
            }
        }
        List<String> header = new ArrayList<>(res.keySet());
        List<String> row = res.values().stream().map(PyFloat::repr).toList();
        Map<String, Object> json = ScoreResult.jsonHead(data.name(), data.kind(), res.get("Overall"));
        json.put("category", categories);
        return new ScoreResult(data.name(), data.kind(), res.get("Overall"), json, categories,
                data.kind().scoreSuffix(), header, List.of(row));
    }

    private static double mean(VlmDataset data, int[] score, String column, String value) {
        long s = 0;
        int n = 0;
        for (int r = 0; r < data.size(); r++) {
            if (column == null || value.equals(data.get(r, column))) {
                s += score[r];
                n++;
            }
        }
        return n == 0 ? Double.NaN : (double) s / n * 100;
    }
}
