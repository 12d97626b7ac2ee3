package io.moslora.eval.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VqaNormalizerTest {
    @ParameterizedTest(name = "[{0}] -> [{1}]")
    @CsvSource(delimiter = '|', value = {
        "Two dogs.|2 dogs",
        "the cat's toy|cat's toy",
        // a period between digits stays; contraction table has no "it's" entry to change
        "It's 3.5 inches|it's 3.5 inches",
        // a comma between digits: every punctuation mark is deleted rather than spaced
        "1,000 people|1000 people",
        "yes!|yes",
        // "-" with no space around becomes a space; the article goes
        "a dog-house|dog house",
        "Dont|don't",
        "none|0",
        "hello.world|helloworld",
        "The Ten  commandments|10 commandments",
        "I am  (here)|i am here",
        "' e.g. x '|eg x",
    })
    void normalizeAsVlmEvalKit(String in, String expected) {
        assertThat(VqaNormalizer.normalize(in)).isEqualTo(expected);
    }

    @Test
    void atMost32PeriodsAreRemoved() {
        // the reference passes re.UNICODE (32) as re.sub's count
        assertThat(VqaNormalizer.processPunctuation(".".repeat(40) + " x")).isEqualTo("........ x");
    }

    @Test
    void softAccuracyByHand() {
        // 2 × "yes", 8 × "no"; prediction "Yes." normalises to "yes".
        // For a "yes" answer the other nine hold one "yes": 1/3; for a "no" answer they hold two: 2/3.
        // mean = (2·1/3 + 8·2/3) / 10 = 0.6
        List<String> answers = new ArrayList<>(Collections.nCopies(2, "yes"));
        answers.addAll(Collections.nCopies(8, "no"));
        assertThat(VqaEvaluation.softAccuracy(answers, "Yes.")).isEqualTo(0.6);
        // ten agreeing answers: every leave-one-out set has 9 ≥ 3 matches
        assertThat(VqaEvaluation.softAccuracy(Collections.nCopies(10, "red"), "red")).isEqualTo(1.0);
        // a single answer has no "other" answers, so even a perfect match scores 0 (as in VLMEvalKit)
        assertThat(VqaEvaluation.softAccuracy(List.of("cat"), "the cat")).isEqualTo(0.0);
        // 3 × "two" + 7 × "3": prediction "2"; "two"->"2". For a "2" answer the others hold two "2": 2/3;
        // for a "3" answer, three: 1. mean = (3·2/3 + 7·1)/10 = 0.9
        List<String> mixed = new ArrayList<>(Collections.nCopies(3, "two"));
        mixed.addAll(Collections.nCopies(7, "3"));
        assertThat(VqaEvaluation.softAccuracy(mixed, "2")).isEqualTo(0.9);
    }

    @Test
    void answersCellIsAPythonList() {
        assertThat(VqaEvaluation.answersOf("['a', \"it's\", 'b\\'c']")).containsExactly("a", "it's", "b'c");
        assertThat(VqaEvaluation.answersOf("plain answer")).containsExactly("plain answer");
        assertThat(VqaEvaluation.answersOf("[unquoted]")).containsExactly("[unquoted]");
    }
}
