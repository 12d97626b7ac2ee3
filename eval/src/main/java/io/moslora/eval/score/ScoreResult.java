package io.moslora.eval.score;

import io.moslora.eval.data.DatasetKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of scoring one dataset: the headline number (percent, 0–100), everything else worth printing as
 * JSON, per-category percents (for charts), and the score table VLMEvalKit would write beside the predictions.
 *
 * @param overall headline percent; NaN when the dataset needs a judge that was not given
 * @param json ordered fields for {@code --json} (starts with dataset, kind, overall)
 * @param categories per-category percents, for the radar chart and the summary
 * @param scoreFileSuffix "_acc" or "_score" (or e.g. "_gpt-4o_score" for judged sets); null when nothing is written
 * @param csvColumns the score file's header; {@code csvRows} its rows, formatted as pandas would write them
 */
public record ScoreResult(String dataset, DatasetKind kind, double overall, Map<String, Object> json,
        Map<String, Double> categories, String scoreFileSuffix, List<String> csvColumns, List<List<String>> csvRows) {

    /** Shown instead of a number for MathVista/MM-Vet without a judge endpoint. */
    public static final String NEEDS_JUDGE = "needs judge";

    public boolean needsJudge() {
        return Double.isNaN(overall);
    }

    public static ScoreResult needsJudge(String dataset, DatasetKind kind) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dataset", dataset);
        json.put("kind", kind.name().toLowerCase(java.util.Locale.ROOT));
        json.put("overall", null);
        json.put("status", NEEDS_JUDGE);
        return new ScoreResult(dataset, kind, Double.NaN, json, Map.of(), null, List.of(), List.of());
    }

    /** The header of a JSON object: dataset, kind, overall (callers add the rest in order). */
    public static Map<String, Object> jsonHead(String dataset, DatasetKind kind, double overall) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dataset", dataset);
        json.put("kind", kind.name().toLowerCase(java.util.Locale.ROOT));
        json.put("overall", overall);
        return json;
    }
}
