package io.moslora.eval.metric;

import io.moslora.eval.data.DatasetKind;
import io.moslora.eval.data.Predictions;
import io.moslora.eval.data.VlmDataset;
import io.moslora.eval.extract.ChoiceInference;
import io.moslora.eval.judge.Judge;
import io.moslora.eval.judge.JudgePrompts;
import io.moslora.eval.score.ScoreResult;
import io.moslora.eval.text.PyFloat;
import io.moslora.eval.text.PyNumbers;
import io.moslora.eval.text.PythonLiteral;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * MathVista (testmini) as VLMEvalKit scores it: the answer is taken from the prediction directly when possible
 * ("prefetch"), otherwise a judge extracts it (up to five tries); then it is checked per answer type. Quirk kept
 * from the reference: free-form answers of type "text"/"list" never count as right.
 */
public final class MathVistaEvaluation {
    private static final int JUDGE_TRIES = 5;
    static final String PREFETCH_LOG = "Prefetch succeed";

    private MathVistaEvaluation() {}

    public static ScoreResult evaluate(VlmDataset data, Predictions predictions, Judge judge) {
        if (judge == null) {
            return ScoreResult.needsJudge(data.name(), DatasetKind.MATHVISTA);
        }
        Map<String, int[]> counts = new LinkedHashMap<>(); // name -> {tot, prefetch, hit}
        for (int r = 0; r < data.size(); r++) {
            String prediction = predictions.of(data.index(r));
            Object pre = check(data, r, prediction, true);
            boolean prefetched = pre != null;
            String res;
            if (prefetched) {
                res = pre.toString();
            } else {
                res = "";
                String prompt = JudgePrompts.mathVistaExtraction(data.question(r), prediction);
                for (int i = 0; i < JUDGE_TRIES; i++) {
                    String out = judge.generate(prompt, 0.5 * i);
                    if (!out.contains(Judge.FAILURE)) {
                        res = out;
                        break;
                    }
                }
            }
            boolean hit = check(data, r, res, false) != null;
            List<String> keys = new ArrayList<>();
            keys.add("Overall");
            String skills = data.table().require(r, "skills");
            keys.addAll(PythonLiteral.parseList(skills).orElse(List.of(skills)));
            keys.add(data.table().require(r, "task"));
            for (String k : keys) {
                int[] c = counts.computeIfAbsent(k, x -> new int[3]);
                c[0]++;
                c[1] += prefetched ? 1 : 0;
                c[2] += hit ? 1 : 0;
            }
        }
        List<List<String>> rows = new ArrayList<>();
        Map<String, Double> categories = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            int[] c = e.getValue();
            double acc = (double) c[2] / c[0] * 100;
            rows.add(List.of(e.getKey(), Integer.toString(c[0]), Integer.toString(c[1]), Integer.toString(c[2]),
                    PyFloat.repr((double) c[1] / c[0] * 100), PyFloat.repr(acc)));
            if (!e.getKey().equals("Overall")) {
                categories.put(e.getKey(), acc);
            }
        }
        double overall = (double) counts.get("Overall")[2] / counts.get("Overall")[0] * 100;
        Map<String, Object> json = ScoreResult.jsonHead(data.name(), DatasetKind.MATHVISTA, overall);
        json.put("judge", judge.name());
        json.put("task&skill", categories);
        return new ScoreResult(data.name(), DatasetKind.MATHVISTA, overall, json, categories,
                "_" + judge.name() + "_score",
                List.of("Task&Skill", "tot", "prefetch", "hit", "prefetch_rate", "acc"), rows);
    }

    /**
     * VLMEvalKit's {@code post_check}: with {@code prefetch}, the answer read straight from the response when it is
     * (truthy and) right — a multiple-choice letter is returned even when wrong, as in the reference; without, a
     * non-null result means "right". Null means no.
     */
    static Object check(VlmDataset data, int r, String response, boolean prefetch) {
        String answer = data.answer(r);
        if ("multi_choice".equals(data.get(r, "question_type"))) {
            String option = data.table().require(r, "answer_option");
            List<String> list = PythonLiteral.parseList(data.table().require(r, "choices")).orElse(List.of());
            Map<String, String> choices = new LinkedHashMap<>();
            for (int i = 0; i < list.size(); i++) {
                choices.put(String.valueOf((char) ('A' + i)), list.get(i));
            }
            Optional<String> letter = ChoiceInference.infer(response, choices);
            if (prefetch) {
                return letter.orElse(null);
            }
            return letter.isPresent() && letter.get().equals(option) ? Boolean.TRUE : null;
        }
        String type = data.get(r, "answer_type");
        if ("integer".equals(type)) {
            OptionalLong res = PyNumbers.parseInt(response);
            OptionalLong ans = PyNumbers.parseInt(answer);
            if (res.isPresent() && ans.isPresent() && res.getAsLong() == ans.getAsLong()) {
                return prefetch ? (res.getAsLong() != 0 ? res.getAsLong() : null) : Boolean.TRUE;
            }
            return null;
        }
        if ("float".equals(type)) {
            OptionalDouble res = PyNumbers.parseFloat(response);
            OptionalDouble ans = PyNumbers.parseFloat(answer);
            if (res.isPresent() && ans.isPresent() && res.getAsDouble() == ans.getAsDouble()) {
                return prefetch ? (res.getAsDouble() != 0 ? PyFloat.repr(res.getAsDouble()) : null) : Boolean.TRUE;
            }
            return null;
        }
        // The reference compares str(None) with the answer here: only an answer of "None" would match.
        return "None".equals(answer) ? (prefetch ? "None" : Boolean.TRUE) : null;
    }
}
