package io.moslora.eval.commonsense;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommonsenseTaskTest {
    @ParameterizedTest(name = "{0}: [{1}] -> [{2}]")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "boolq|the correct answer is true|true",
        // first occurrence wins, case matters
        "boolq|false, not true|false",
        "boolq|True|''",
        "piqa|the correct answer is solution2|solution2",
        "piqa|solution3|''",
        "social_i_qa|answer3 or answer1|answer3",
        // answer5 is allowed for the 5-way sets; "answer10" contains "answer1" first
        "ARC-Challenge|answer10|answer1",
        "ARC-Easy|the correct answer is answer4|answer4",
        "openbookqa|answer5|answer5",
        "hellaswag|ending4.|ending4",
        "hellaswag|ending5|''",
        "winogrande|option2|option2",
        "winogrande|Option1|''",
    })
    void extractPerDataset(String dataset, String output, String expected) {
        CommonsenseTask t = CommonsenseTask.fromName(dataset, "test");
        assertThat(t.extract(output)).isEqualTo(expected == null ? "" : expected);
    }

    @Test
    void taskFromFileLayout() {
        assertThat(CommonsenseTask.ofFile(Path.of("dataset/ARC-Easy/test.json"))).isEqualTo(CommonsenseTask.ARC_EASY);
        assertThat(CommonsenseTask.ofFile(Path.of("x/boolq.json"))).isEqualTo(CommonsenseTask.BOOLQ);
    }

    @Test
    void responseIsTheTextAfterTheMarker() {
        String decoded = AlpacaPrompt.build("Q") + " the correct answer is true </s>";
        assertThat(AlpacaPrompt.responseOf(decoded)).isEqualTo("the correct answer is true </s>");
    }

    @Test
    void accuracyAndAverage() {
        List<CommonsenseData.Item> items = List.of(new CommonsenseData.Item("q1", "true"),
                new CommonsenseData.Item("q2", "false"), new CommonsenseData.Item("q3", "true"),
                new CommonsenseData.Item("q4", "false"));
        CommonsenseScore boolq = CommonsenseScore.of(CommonsenseTask.BOOLQ, items,
                List.of("true", "the answer is false", "false", "nothing"));
        assertThat(boolq.correct()).isEqualTo(2);
        assertThat(boolq.percent()).isEqualTo(50.0);
        CommonsenseScore piqa = new CommonsenseScore(CommonsenseTask.PIQA, 3, 4);
        assertThat(CommonsenseScore.average(List.of(boolq, piqa))).isEqualTo(62.5);
    }
}
