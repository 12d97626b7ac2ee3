package io.moslora.eval.human;

import io.moslora.cli.UserError;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One question raters answer for every pair, e.g. {@code subject-similarity}. The id travels through the page, the
 * vote files and the key; the question is what the rater reads.
 */
public record Criterion(String id, String question) {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    /** The paper's Table 6 criteria get a question written for raters; other ids get a generic one. */
    private static final Map<String, String> KNOWN_QUESTIONS = Map.of(
            "subject-similarity", "Which image shows the subject of the reference photos more faithfully?",
            "prompt-consistency", "Which image follows the prompt better?");

    public static Criterion of(String id) {
        if (!ID.matcher(id).matches()) {
            throw new UserError("--criteria: '" + id + "' is not a criterion id; use lower-case letters, digits and"
                    + " dashes, e.g. subject-similarity,prompt-consistency");
        }
        String question = KNOWN_QUESTIONS.getOrDefault(id, "Which image is better for: " + id.replace('-', ' ') + "?");
        return new Criterion(id, question);
    }

    /** Parses a comma-separated list; empty entries and repeats are errors, order is kept. */
    public static List<Criterion> parseList(String commaSeparated) {
        Set<String> seen = new LinkedHashSet<>();
        List<Criterion> criteria = new ArrayList<>();
        for (String part : commaSeparated.split(",", -1)) {
            String id = part.trim();
            if (!seen.add(id)) {
                throw new UserError("--criteria: '" + id + "' is listed twice; list each criterion once");
            }
            criteria.add(of(id));
        }
        return List.copyOf(criteria);
    }
}
