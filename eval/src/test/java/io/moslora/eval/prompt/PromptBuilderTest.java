package io.moslora.eval.prompt;

import static io.moslora.eval.data.TestTables.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.eval.data.TestTables;
import io.moslora.eval.data.VlmDataset;
import io.moslora.eval.model.GenerationSettings;
import io.moslora.eval.prompt.PromptBuilder.Style;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptBuilderTest {
    @TempDir
    Path dir;

    @Test
    void multipleChoiceWithHint() {
        Path tsv = TestTables.write(dir, "MMBench_DEV_EN.tsv", row("index", "hint", "question", "A", "B", "C", "answer"),
                row("1", "Look at the sky.", "What colour is it?", "blue", "green", "", "A"),
                row("2", "", "Which one?", "x", "y", "z", "B"));
        VlmDataset d = VlmDataset.load(tsv);
        Prompt p = PromptBuilder.build(d, 0, Style.XTUNER);
        assertThat(p.text()).isEqualTo("Look at the sky.\nWhat colour is it?\nA. blue\nB. green\n"
                + "Answer with the option's letter from the given choices directly.");
        assertThat(p.settings()).isEqualTo(GenerationSettings.SHORT_ANSWER);
        assertThat(p.settings().maxNewTokens()).isEqualTo(5);
        // no hint: the question comes first
        assertThat(PromptBuilder.build(d, 1, Style.LLAVA).text()).isEqualTo("Which one?\nA. x\nB. y\nC. z\n"
                + "Answer with the option's letter from the given choices directly.");
    }

    @Test
    void chineseAndOptionlessVariants() {
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("A", "猫");
        assertThat(PromptBuilder.multipleChoice(null, "这是什么", opts, Style.XTUNER))
                .isEqualTo("这是什么\nA. 猫\n请直接回答选项字母。");
        assertThat(PromptBuilder.multipleChoice(null, "What?", Map.of(), Style.LLAVA))
                .isEqualTo("What?\nAnswer the question directly.");
        assertThat(PromptBuilder.multipleChoice(null, "What?", Map.of(), Style.XTUNER))
                .isEqualTo("What?\nAnswer with the option's letter from the given choices directly.");
    }

    @Test
    void yesNoAndVqa() {
        Path mme = TestTables.write(dir, "MME.tsv", row("index", "question", "answer"),
                row("1", "Is there a cat? Please answer yes or no.", "Yes"));
        assertThat(PromptBuilder.build(VlmDataset.load(mme), 0, Style.XTUNER))
                .isEqualTo(new Prompt("Is there a cat? Please answer yes or no.", GenerationSettings.SHORT_ANSWER));
        Path vqa = TestTables.write(dir, "TextVQA_VAL.tsv", row("index", "question", "answer"),
                row("1", "what is written on the sign?", "['stop']"));
        assertThat(PromptBuilder.build(VlmDataset.load(vqa), 0, Style.XTUNER).text())
                .isEqualTo("what is written on the sign?\nAnswer the question using a single word or phrase.");
        Path vet = TestTables.write(dir, "MMVet.tsv", row("index", "question", "answer"), row("1", "Explain.", "x"));
        assertThat(PromptBuilder.build(VlmDataset.load(vet), 0, Style.XTUNER))
                .isEqualTo(new Prompt("Explain.", GenerationSettings.OPEN_ANSWER));
    }
}
