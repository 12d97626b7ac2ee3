package io.moslora.eval.metric;

import io.moslora.cli.UserError;
import io.moslora.eval.data.Predictions;
import io.moslora.eval.data.VlmDataset;
import io.moslora.eval.extract.ChoiceInference;
import io.moslora.eval.extract.OptionMatcher;
import io.moslora.eval.score.ScoreResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Multiple-choice scoring as VLMEvalKit does it: plain accuracy, or CircularEval, where a question is asked once
 * per rotation of its options (rotated copies have index {@code original + k·1,000,000}) and counts as right only
 * if every rotation is answered right.
 */
public final class McqEvaluation {
    /** Rotated copies of MMBench question {@code i} have indexes {@code i + k * 1e6}. */
    public static final long CIRCULAR_OFFSET = 1_000_000L;

    private McqEvaluation() {}

    /** Plain accuracy: one hit per question. */
    public static ScoreResult vanilla(VlmDataset data, Predictions predictions, OptionMatcher matcher) {
        List<Integer> rows = new ArrayList<>();
        List<Integer> hits = new ArrayList<>();
        for (int r : rowsByIndex(data)) {
            String option = matcher.match(data.question(r), data.options(r), predictions.of(data.index(r)));
            rows.add(r);
            hits.add(option.equals(data.answer(r)) ? 1 : 0);
        }
        return AccuracyReport.build(data, rows, hits);
    }

    /** CircularEval: one hit per group of rotations, reported on the group's original (unrotated) row. */
    public static ScoreResult circular(VlmDataset data, Predictions predictions, OptionMatcher matcher) {
        Map<Long, List<Integer>> groups = new LinkedHashMap<>();
        for (int r : rowsByIndex(data)) {
            groups.computeIfAbsent(groupOf(data, r), g -> new ArrayList<>()).add(r);
        }
        List<Integer> rows = new ArrayList<>();
        List<Integer> hits = new ArrayList<>();
        for (int r : rowsByIndex(data)) {
            long idx = Long.parseLong(data.index(r));
            if (idx != idx % CIRCULAR_OFFSET) {
                continue; // a rotated copy: scored with its original
            }
            rows.add(r);
            hits.add(groupHit(data, predictions, matcher, groups.get(idx)) ? 1 : 0);
        }
        return AccuracyReport.build(data, rows, hits);
    }

    private static long groupOf(VlmDataset data, int row) {
        try {
            return Long.parseLong(data.index(row)) % CIRCULAR_OFFSET;
        } catch (NumberFormatException e) {
            throw new UserError(data.table().where(row, "index") + ": '" + data.index(row)
                    + "' is not an integer; CircularEval needs integer indexes (use --kind mcq for this file)");
        }
    }

    /**
     * Prefetch every rotation without a judge; any confidently wrong rotation fails the group, all confidently
     * right passes it; undecided rotations go to the judge (or fail the group when there is none).
     */
    private static boolean groupHit(VlmDataset data, Predictions predictions, OptionMatcher matcher,
            List<Integer> group) {
        List<Integer> undecided = new ArrayList<>();
        for (int r : group) {
            Optional<String> option = ChoiceInference.infer(predictions.of(data.index(r)), data.options(r));
            if (option.isPresent() && !option.get().equals(data.answer(r))) {
                return false;
            }
            if (option.isEmpty()) {
                undecided.add(r);
            }
        }
        if (undecided.isEmpty()) {
            return true;
        }
        if (!matcher.hasJudge()) {
            return false;
        }
        for (int r : undecided) {
            String option = matcher.match(data.question(r), data.options(r), predictions.of(data.index(r)));
            if (!option.equals(data.answer(r))) {
                return false;
            }
        }
        return true;
    }

    /** VLMEvalKit sorts predictions by index before scoring; numeric indexes sort numerically. */
    static List<Integer> rowsByIndex(VlmDataset data) {
        List<Integer> rows = new ArrayList<>();
        for (int r = 0; r < data.size(); r++) {
            rows.add(r);
        }
        boolean numeric = data.indexes().stream().allMatch(s -> s.matches("-?\\d+"));
        rows.sort((a, b) -> numeric ? Long.compare(Long.parseLong(data.index(a)), Long.parseLong(data.index(b)))
                : data.index(a).compareTo(data.index(b)));
        return rows;
    }
}
