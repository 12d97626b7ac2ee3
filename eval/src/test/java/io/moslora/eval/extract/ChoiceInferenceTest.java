package io.moslora.eval.extract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * can_infer on hand-made answers; each expectation follows from the rule (letter standing alone among the last
 * words, else exactly one option text) and was cross-checked against VLMEvalKit's own function.
 */
class ChoiceInferenceTest {
    private static Map<String, String> choices() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("A", "cat");
        c.put("B", "dog");
        c.put("C", "teddy bear");
        c.put("D", "rabbit");
        return c;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "A|A",
        "The answer is B.|B",
        "(C) teddy bear|C",
        // one letter, within the last five words: taken even though it is an article here
        "A cat is sitting|A",
        // no letter; exactly one option text occurs
        "I think it is a dog|B",
        // two letters: ambiguous, and no option text
        "B C|-",
        "Z|Z",
        "I'm sorry, but without the image provided|Z",
        "Cannot determine the answer|Z",
        // an API failure message is never an answer
        "Failed to obtain answer via API|-",
        "The correct answer is **D**|D",
        // two option texts: ambiguous
        "a dog or a cat|-",
        "teddy bear|C",
        "nan|-",
        // two letters (A and B), no "answer is"; then the only option text present is "rabbit"
        "The image shows A big rabbit near B|D",
        // lower-case letters are not option letters
        "answer: d|-",
    })
    void inferAsVlmEvalKit(String answer, String expected) {
        assertThat(ChoiceInference.infer(answer, choices())).isEqualTo(Optional.ofNullable(expected));
    }

    @Test
    void letterMustBeAmongTheLastFiveWords() {
        // "A" is word 0 of 6: 0 > 6 - 5 is false, so the letter rule fails; the texts "cat"/"dog" are absent too.
        assertThat(ChoiceInference.inferLetter("A one two three four five", choices())).isEmpty();
        // with 5 words, index 0 > 0 is false as well; with 4 words index 0 > -1 holds
        assertThat(ChoiceInference.inferLetter("A one two three four", choices())).isEmpty();
        assertThat(ChoiceInference.inferLetter("A one two three", choices())).contains("A");
    }

    @Test
    void tooLongAnswersAreNotTextMatched() {
        // option texts total 3+3+10+6 = 22 code points; an answer over 44 is not searched for texts
        String longAnswer = "dog " + "x".repeat(41);
        assertThat(longAnswer.length()).isEqualTo(45);
        assertThat(ChoiceInference.inferText(longAnswer, choices())).isEmpty();
        assertThat(ChoiceInference.inferText("dog " + "x".repeat(40), choices())).contains("B");
    }

    @Test
    void separatorsBecomeSpaces() {
        assertThat(ChoiceInference.infer("[B]", choices())).contains("B");
        assertThat(ChoiceInference.infer("Answer:{C}!", choices())).contains("C");
        assertThat(ChoiceInference.infer("B,", choices())).contains("B");
    }

    @Test
    void onlyPresentOptionsCount() {
        Map<String, String> two = new LinkedHashMap<>();
        two.put("A", "yes");
        two.put("B", "no");
        // "C" is not an option: the letter count is 0 and there is no Z, text "no" occurs once
        assertThat(ChoiceInference.infer("C no", two)).contains("B");
        // "The answer is C" names a letter that is not an option
        assertThat(ChoiceInference.inferLetter("The answer is C", two)).isEmpty();
    }
}
