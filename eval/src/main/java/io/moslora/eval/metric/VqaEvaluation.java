package io.moslora.eval.metric;

import io.moslora.eval.data.DatasetCatalog;
import io.moslora.eval.data.Predictions;
import io.moslora.eval.data.VlmDataset;
import io.moslora.eval.score.ScoreResult;
import io.moslora.eval.text.NumpyMean;
import io.moslora.eval.text.PyFloat;
import io.moslora.eval.text.PyText;
import io.moslora.eval.text.PythonLiteral;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Open-answer VQA as VLMEvalKit scores it. TextVQA (and custom sets): the VQA soft accuracy — both sides
 * normalised, and for each of the human answers, min(1, matches among the other answers / 3); the question's
 * score is the mean over the human answers. OCRVQA/GQA: case-insensitive exact match.
 */
public final class VqaEvaluation {
    private VqaEvaluation() {}

    /** The soft accuracy of one prediction against the human answers (each already as written in the TSV). */
    public static double softAccuracy(List<String> humanAnswers, String prediction) {
        List<String> gt = humanAnswers.stream().map(VqaNormalizer::normalize).toList();
        String pred = VqaNormalizer.normalize(prediction);
        double[] match = new double[gt.size()];
        for (int i = 0; i < gt.size(); i++) {
            int same = 0;
            for (int j = 0; j < gt.size(); j++) {
                if (j != i && gt.get(j).equals(pred)) {
                    same++;
                }
            }
            match[i] = Math.min(1, same / 3.0);
        }
        return NumpyMean.mean(match);
    }

    /** Exact-match accuracy ({@code method='accuracy'}): mean over the answers of a stripped, lower-case match. */
    public static double exactAccuracy(List<String> answers, String prediction) {
        String pred = PyText.lower(PyText.strip(PyText.strip(prediction)));
        double[] match = new double[answers.size()];
        for (int i = 0; i < answers.size(); i++) {
            match[i] = PyText.lower(PyText.strip(answers.get(i))).equals(pred) ? 1.0 : 0.0;
        }
        return NumpyMean.mean(match);
    }

    /** The answers of a row: a Python list literal (TextVQA's ten answers) or the single answer. */
    public static List<String> answersOf(String cell) {
        return PythonLiteral.parseList(cell).orElse(List.of(cell));
    }

    public static ScoreResult evaluate(VlmDataset data, Predictions predictions) {
        boolean exact = DatasetCatalog.usesExactMatch(data.name());
        int n = data.size();
        double[] hit = new double[n];
        for (int r = 0; r < n; r++) {
            String answerCell = data.get(r, "answer");
            List<String> answers = answersOf(answerCell == null ? "nan" : answerCell);
            String pred = predictions.of(data.index(r));
            hit[r] = exact ? exactAccuracy(answers, pred) : softAccuracy(answers, pred);
        }
        Map<String, Double> res = new LinkedHashMap<>();
        Map<String, Double> categories = new LinkedHashMap<>();
        if (data.table().has("split")) {
            for (String sp : distinct(data, "split")) {
                res.put(sp, meanWhere(data, hit, "split", sp) * 100);
            }
            res.put("Overall", NumpyMean.mean(hit) * 100);
        } else {
            res.put("Overall", NumpyMean.mean(hit) * 100);
            if (data.table().has("category")) {
                for (String c : distinct(data, "category")) {
                    double v = meanWhere(data, hit, "category", c) * 100;
                    res.put(c, v);
                    categories.put(c, v);
                }
            }
        }
        List<String> header = new ArrayList<>(res.keySet());
        List<String> row = res.values().stream().map(PyFloat::repr).toList();
        Map<String, Object> json = ScoreResult.jsonHead(data.name(), data.kind(), res.get("Overall"));
        json.put("questions", n);
        Map<String, Double> extra = new LinkedHashMap<>(res);
        extra.remove("Overall");
        if (!extra.isEmpty()) {
            json.put(data.table().has("split") ? "split" : "category", extra);
        }
        return new ScoreResult(data.name(), data.kind(), res.get("Overall"), json, categories,
                data.kind().scoreSuffix(), header, List.of(row));
    }

    private static TreeSet<String> distinct(VlmDataset data, String column) {
        TreeSet<String> out = new TreeSet<>();
        for (int r = 0; r < data.size(); r++) {
            String v = data.get(r, column);
            out.add(v == null ? "nan" : v);
        }
        return out;
    }

    private static double meanWhere(VlmDataset data, double[] hit, String column, String value) {
        List<Double> sub = new ArrayList<>();
        for (int r = 0; r < data.size(); r++) {
            String v = data.get(r, column);
            if (value.equals(v == null ? "nan" : v)) {
                sub.add(hit[r]);
            }
        }
        return NumpyMean.mean(sub);
    }
}
