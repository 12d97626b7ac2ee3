package io.moslora.eval.human;

import io.moslora.cli.UserError;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The result of a study, per criterion: A's win/tie/loss against B over all votes and per subject, and how much
 * the raters agree (Fleiss' kappa over win/tie/loss, the pairs being the rated items).
 */
public record HumanEvalScores(StudyKey key, List<String> raters, Map<String, CriterionScore> byCriterion) {

    public record CriterionScore(Tally overall, Map<String, Tally> bySubject, double kappa) {}

    public static HumanEvalScores of(StudyKey key, List<RaterVotes> files) {
        Map<String, RaterVotes> byRater = new LinkedHashMap<>();
        for (RaterVotes f : files) {
            RaterVotes earlier = byRater.putIfAbsent(f.rater(), f);
            if (earlier != null) {
                throw new UserError(f.file() + ": rater '" + f.rater() + "' already voted in " + earlier.file()
                        + "; give each rater's file once");
            }
        }
        Map<String, CriterionScore> scores = new LinkedHashMap<>();
        for (Criterion c : key.criteria()) {
            Tally overall = Tally.EMPTY;
            Map<String, Tally> bySubject = new TreeMap<>();
            Map<String, int[]> countsByPair = new HashMap<>();
            for (RaterVotes f : files) {
                for (Vote v : f.votes()) {
                    if (!v.criterion().equals(c.id())) {
                        continue;
                    }
                    overall = overall.plus(v.outcome());
                    bySubject.merge(v.pair().pair().subject(), Tally.EMPTY.plus(v.outcome()),
                            (a, b) -> a.plus(v.outcome()));
                    countsByPair.computeIfAbsent(v.pair().id(), id -> new int[Outcome.values().length])
                            [v.outcome().ordinal()]++;
                }
            }
            double kappa = FleissKappa.of(countsByPair.values().toArray(new int[0][]));
            scores.put(c.id(), new CriterionScore(overall, bySubject, kappa));
        }
        return new HumanEvalScores(key, List.copyOf(byRater.keySet()), scores);
    }
}
