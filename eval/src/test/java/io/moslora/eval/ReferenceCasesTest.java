package io.moslora.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.eval.extract.ChoiceInference;
import io.moslora.eval.extract.YesNoExtraction;
import io.moslora.eval.metric.VqaNormalizer;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Differential test: 400 generated answers (letters, option texts, punctuation, number words, contractions, Chinese)
 * and what VLMEvalKit's own {@code can_infer}, {@code process_answer} and {@code YOrN_Extraction} returned for them.
 */
class ReferenceCasesTest {
    @Test
    void sameAsVlmEvalKitOnGeneratedAnswers() throws Exception {
        JsonNode cases;
        try (InputStream in = getClass().getResourceAsStream("reference-cases.json")) {
            cases = new ObjectMapper().readTree(in).get("cases");
        }
        assertThat(cases.size()).isEqualTo(400);
        Map<String, String> options = new LinkedHashMap<>();
        options.put("A", "cat");
        options.put("B", "dog");
        options.put("C", "teddy bear");
        options.put("D", "red panda");
        int inferred = 0;
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            String expected = c.get("can_infer").asText();
            assertThat(ChoiceInference.infer(text, options).orElse("")).as("can_infer(%s)", text).isEqualTo(expected);
            assertThat(VqaNormalizer.normalize(text)).as("process_answer(%s)", text)
                    .isEqualTo(c.get("process_answer").asText());
            assertThat(YesNoExtraction.extract(text)).as("YOrN(%s)", text).isEqualTo(c.get("yorn").asText());
            inferred += expected.isEmpty() ? 0 : 1;
        }
        assertThat(inferred).isBetween(50, 350); // the cases exercise both outcomes
    }

    /** 150 generated TextVQA-style questions: per-question soft accuracy and the overall, as VLMEvalKit printed them. */
    @Test
    void vqaSoftAccuracyAsVlmEvalKit(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("reference-vqa.json")) {
            root = new ObjectMapper().readTree(in);
        }
        StringBuilder tsv = new StringBuilder("index\tquestion\tanswer\n");
        StringBuilder preds = new StringBuilder("index\tprediction\n");
        int i = 0;
        for (JsonNode c : root.get("cases")) {
            java.util.List<String> answers = io.moslora.eval.metric.VqaEvaluation.answersOf(c.get("answer").asText());
            assertThat(io.moslora.eval.metric.VqaEvaluation.softAccuracy(answers, c.get("prediction").asText()))
                    .as("case %d", i).isEqualTo(c.get("hit").asDouble());
            tsv.append(i).append("\tq\t").append(c.get("answer").asText()).append('\n');
            preds.append(i).append('\t').append(c.get("prediction").asText()).append('\n');
            i++;
        }
        java.nio.file.Path data = java.nio.file.Files.writeString(dir.resolve("TextVQA_VAL.tsv"), tsv);
        java.nio.file.Path p = java.nio.file.Files.writeString(dir.resolve("p.tsv"), preds);
        io.moslora.eval.score.ScoreResult r = io.moslora.eval.score.Scorer.score(
                io.moslora.eval.data.VlmDataset.load(data), io.moslora.eval.data.Predictions.read(p), null);
        assertThat(r.overall()).isEqualTo(root.get("overall").asDouble());
    }
}
