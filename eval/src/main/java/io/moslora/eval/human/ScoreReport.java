package io.moslora.eval.human;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/** Renders {@link HumanEvalScores} as a table for people or as JSON (percentages, kappa null when undefined). */
public final class ScoreReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ScoreReport() {}

    /**
     * One object per criterion: {@code {"win":..,"tie":..,"loss":..,"delta":..,"kappa":..,"votes":..,"raters":..,
     * "pairs":..,"per_subject":{"cat":{"win":..,"tie":..,"loss":..,"delta":..,"votes":..}}}}, percentages in percent.
     */
    public static String json(HumanEvalScores scores) {
        ObjectNode root = JSON.createObjectNode();
        for (Map.Entry<String, HumanEvalScores.CriterionScore> e : scores.byCriterion().entrySet()) {
            ObjectNode c = root.putObject(e.getKey());
            putTally(c, e.getValue().overall());
            double kappa = e.getValue().kappa();
            if (Double.isNaN(kappa)) {
                c.putNull("kappa");
            } else {
                c.put("kappa", kappa);
            }
            c.put("raters", scores.raters().size());
            c.put("pairs", scores.key().pairs().size());
            ObjectNode subjects = c.putObject("per_subject");
            e.getValue().bySubject().forEach((subject, tally) -> putTally(subjects.putObject(subject), tally));
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static void putTally(ObjectNode o, Tally t) {
        o.put("win", t.winPercent());
        o.put("tie", t.tiePercent());
        o.put("loss", t.lossPercent());
        o.put("delta", t.deltaPercent());
        o.put("votes", t.votes());
    }

    public static String text(HumanEvalScores scores) {
        StringBuilder s = new StringBuilder();
        StudyKey key = scores.key();
        s.append("study ").append(key.study()).append(": ").append(scores.raters().size()).append(" raters, ")
                .append(key.pairs().size()).append(" pairs\n")
                .append("A = ").append(key.systemA()).append("\nB = ").append(key.systemB()).append('\n')
                .append("win/tie/loss are A against B; delta = win - loss\n");
        String row = "%-22s %-16s %6s %7s %7s %7s %8s %7s%n";
        s.append(String.format(Locale.ROOT, row, "criterion", "subject", "votes", "win%", "tie%", "loss%", "delta",
                "kappa"));
        for (Map.Entry<String, HumanEvalScores.CriterionScore> e : scores.byCriterion().entrySet()) {
            HumanEvalScores.CriterionScore c = e.getValue();
            double kappa = c.kappa();
            s.append(line(row, e.getKey(), "(all)", c.overall(),
                    Double.isNaN(kappa) ? "n/a" : String.format(Locale.ROOT, "%.3f", kappa)));
            c.bySubject().forEach((subject, t) -> s.append(line(row, "", subject, t, "")));
        }
        return s.toString();
    }

    private static String line(String row, String criterion, String subject, Tally t, String kappa) {
        return String.format(Locale.ROOT, row, criterion, subject, t.votes(),
                String.format(Locale.ROOT, "%.1f", t.winPercent()), String.format(Locale.ROOT, "%.1f", t.tiePercent()),
                String.format(Locale.ROOT, "%.1f", t.lossPercent()),
                String.format(Locale.ROOT, "%+.1f", t.deltaPercent()), kappa);
    }
}
