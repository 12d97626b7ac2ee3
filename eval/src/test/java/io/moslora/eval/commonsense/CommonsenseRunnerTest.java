package io.moslora.eval.commonsense;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.eval.model.GenerationSettings;
import io.moslora.eval.model.VisionLanguageModel;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommonsenseRunnerTest {
    /** Says "true" for questions mentioning water, else "false"; records prompts. */
    static final class Scripted implements VisionLanguageModel {
        final List<String> prompts = new ArrayList<>();

        @Override
        public String generate(List<BufferedImage> images, String prompt, GenerationSettings settings) {
            assertThat(images).isEmpty();
            assertThat(settings).isEqualTo(GenerationSettings.COMMONSENSE);
            prompts.add(prompt);
            return prompt.contains("water") ? "the correct answer is true" : "the correct answer is false";
        }

        @Override
        public String name() {
            return "llm";
        }
    }

    @Test
    void runsWritesResultFileAndResumes(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("boolq")).resolve("test.json");
        Files.writeString(data, "[{\"instruction\":\"is water wet?\",\"input\":\"\",\"output\":\"x\",\"answer\":\"true\"},"
                + "{\"instruction\":\"is fire cold?\",\"input\":\"\",\"output\":\"x\",\"answer\":\"false\"},"
                + "{\"instruction\":\"is ice hot?\",\"input\":\"\",\"output\":\"x\",\"answer\":\"true\"}]");
        Scripted model = new Scripted();
        CommonsenseRunner runner = new CommonsenseRunner(dir.resolve("out"), false, 1, null);
        CommonsenseScore s = runner.run(model, CommonsenseTask.BOOLQ, data);
        assertThat(s.correct()).isEqualTo(2);
        assertThat(model.prompts.get(0)).isEqualTo(AlpacaPrompt.build("is water wet?"));
        Path result = dir.resolve("out/llm-boolq.json");
        String json = Files.readString(result);
        assertThat(json).contains("\"output_pred\" : \"the correct answer is true\"").contains("\"pred\" : \"true\"")
                .contains("\"flag\" : false");
        // the result file scores the same through commonsense-score's reader
        List<CommonsenseData.Item> items = CommonsenseData.readDataset(data);
        assertThat(CommonsenseScore.of(CommonsenseTask.BOOLQ, items, CommonsenseData.readOutputs(result, items, data)))
                .isEqualTo(s);
        Scripted again = new Scripted();
        assertThat(new CommonsenseRunner(dir.resolve("out"), true, 1, null).run(again, CommonsenseTask.BOOLQ, data))
                .isEqualTo(s);
        assertThat(again.prompts).isEmpty();
    }
}
