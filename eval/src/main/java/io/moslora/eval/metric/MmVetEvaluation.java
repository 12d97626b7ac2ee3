package io.moslora.eval.metric;

import io.moslora.eval.data.DatasetKind;
import io.moslora.eval.data.Predictions;
import io.moslora.eval.data.VlmDataset;
import io.moslora.eval.judge.Judge;
import io.moslora.eval.judge.JudgePrompts;
import io.moslora.eval.score.ScoreResult;
import io.moslora.eval.text.PyFloat;
import io.moslora.eval.text.PyNumbers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * MM-Vet as VLMEvalKit scores it: a judge grades each answer 0.0–1.0 (five tries, temperature rising by 0.5; an
 * unparsable or out-of-range grade is retried, and 0.0 after the last try); accuracy per capability
 * (rec, ocr, know, gen, spat, math) and overall, in percent.
 */
public final class MmVetEvaluation {
    public static final List<String> CAPABILITIES = List.of("rec", "ocr", "know", "gen", "spat", "math");
    private static final int JUDGE_TRIES = 5;

    private MmVetEvaluation() {}

    /** One graded answer: the judge's number, or 0.0 when it never gave a valid one. */
    public static double grade(Judge judge, String question, String answer, String prediction) {
        String prompt = JudgePrompts.mmVetGrading(question, answer, prediction);
        for (int i = 0; i < JUDGE_TRIES; i++) {
            OptionalDouble score = PyNumbers.parseFloat(judge.generate(prompt, 0.5 * i));
            if (score.isPresent() && score.getAsDouble() >= 0 && score.getAsDouble() <= 1) {
                return score.getAsDouble();
            }
        }
        return 0.0;
    }

    public static ScoreResult evaluate(VlmDataset data, Predictions predictions, Judge judge) {
        if (judge == null) {
            return ScoreResult.needsJudge(data.name(), DatasetKind.MMVET);
        }
        Map<String, Integer> tot = new LinkedHashMap<>();
        Map<String, Double> score = new LinkedHashMap<>();
        for (int r = 0; r < data.size(); r++) {
            String category = data.table().require(r, "category");
            double g = grade(judge, data.question(r), data.answer(r), predictions.of(data.index(r)));
            List<String> keys = new ArrayList<>();
            for (String capability : CAPABILITIES) {
                if (category.contains(capability)) {
                    keys.add(capability);
                }
            }
            keys.add("Overall");
            for (String k : keys) {
                tot.merge(k, 1, Integer::sum);
                score.merge(k, g, Double::sum);
            }
        }
        List<List<String>> rows = new ArrayList<>();
        Map<String, Double> categories = new LinkedHashMap<>();
        List<String> order = new ArrayList<>(CAPABILITIES);
        order.add("Overall");
        for (String k : order) {
            int t = tot.getOrDefault(k, 0);
            double acc = t == 0 ? Double.NaN : score.get(k) / t * 100;
            rows.add(List.of(k, Integer.toString(t), PyFloat.repr(acc)));
            if (!k.equals("Overall")) {
                categories.put(k, acc);
            }
        }
        double overall = score.get("Overall") / tot.get("Overall") * 100;
        Map<String, Object> json = ScoreResult.jsonHead(data.name(), DatasetKind.MMVET, overall);
        json.put("judge", judge.name());
        json.put("capability", categories);
        return new ScoreResult(data.name(), DatasetKind.MMVET, overall, json, categories,
                "_" + judge.name() + "_score", List.of("Category", "tot", "acc"), rows);
    }
}
