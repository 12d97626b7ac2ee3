package io.moslora.eval.extract;

import io.moslora.eval.text.PyText;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a model's free-text answer to a multiple-choice question into an option letter without any judge model,
 * following VLMEvalKit's {@code can_infer} rule for rule: first look for exactly one option letter standing alone
 * near the end of the answer, then for exactly one option text inside the answer. "Z" means the model refused or
 * named no option (it is scored wrong); empty means nothing could be inferred (a judge may try next).
 */
public final class ChoiceInference {
    /** The letter VLMEvalKit uses for "none of the options". */
    public static final String NONE = "Z";

    /** Marker VLMEvalKit's API wrappers put into an answer when the call failed. */
    public static final String API_FAILURE = "Failed to obtain answer via API";

    private static final List<String> REFUSALS = List.of(
            "Sorry, I can't help with images of people yet.",
            "I can't process this file.",
            "I'm sorry, but without the image provided",
            "Cannot determine the answer");

    /** Characters that are treated as spaces before looking for a standalone letter. */
    private static final String SEPARATORS = ".()[],:;!*#{}";

    /** "The correct answer is **B**" style answers. */
    private static final Pattern VERBOSE_ANSWER =
            Pattern.compile("(?:correct\\s+)?answer\\s+is\\s+\\**([ABCD])\\**", Pattern.CASE_INSENSITIVE);

    private ChoiceInference() {}

    /** {@code can_infer}: the option letter, or empty when neither rule decides. */
    public static Optional<String> infer(String answer, Map<String, String> choices) {
        Optional<String> byLetter = inferLetter(answer, choices);
        return byLetter.isPresent() ? byLetter : inferText(answer, choices);
    }

    /** {@code can_infer_option}: a lone option letter among the last five words, or "Z" for a refusal. */
    public static Optional<String> inferLetter(String answer, Map<String, String> choices) {
        if (answer.contains(API_FAILURE)) {
            return Optional.empty();
        }
        for (String refusal : REFUSALS) {
            if (answer.contains(refusal)) {
                return Optional.of(NONE);
            }
        }
        String cleaned = answer;
        for (char c : SEPARATORS.toCharArray()) {
            cleaned = cleaned.replace(c, ' ');
        }
        List<String> words = PyText.split(cleaned);
        int count = countPresent(words, choices.keySet());
        if (count == 1) {
            for (String letter : choices.keySet()) {
                // Only a letter among the last words counts: "A" early on is usually the article.
                if (words.contains(letter) && words.indexOf(letter) > words.size() - 5) {
                    return Optional.of(letter);
                }
            }
        } else if (count == 0 && words.contains(NONE)) {
            return Optional.of(NONE);
        }
        Matcher m = VERBOSE_ANSWER.matcher(answer);
        if (m.find()) {
            String letter = m.group(1).toUpperCase(java.util.Locale.ROOT);
            if (choices.containsKey(letter)) {
                return Optional.of(letter);
            }
        }
        return Optional.empty();
    }

    /** {@code can_infer_text}: exactly one option's text occurs in the (not too long) answer. */
    public static Optional<String> inferText(String answer, Map<String, String> choices) {
        String lower = PyText.lower(answer);
        int optionChars = 0;
        for (String text : choices.values()) {
            optionChars += PyText.len(text);
        }
        if (PyText.len(lower) > 2 * optionChars) {
            return Optional.empty();
        }
        String found = null;
        int hits = 0;
        for (Map.Entry<String, String> e : choices.entrySet()) {
            if (lower.contains(PyText.lower(e.getValue()))) {
                hits++;
                found = e.getKey();
            }
        }
        return hits == 1 ? Optional.of(found) : Optional.empty();
    }

    private static int countPresent(List<String> words, Set<String> letters) {
        int n = 0;
        for (String letter : letters) {
            if (words.contains(letter)) {
                n++;
            }
        }
        return n;
    }
}
