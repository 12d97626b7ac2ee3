package io.moslora.llava.demo;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.cli.UserError;
import io.moslora.llava.chat.LlavaChat;
import io.moslora.llava.data.ClipImageProcessor;
import io.moslora.llava.data.StrictImageReader;
import io.moslora.llava.model.LlavaModel;
import io.moslora.llava.template.ChatTemplate;
import io.moslora.llava.tokenizer.ImageTokens;
import io.moslora.llava.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Asks a model every held-out question of a LLaVA JSON file (greedy decoding, as the evaluators do) and scores
 * exact matches of the short answers, in total and per category. Chance is what guessing uniformly among the
 * answers a category has in training would score.
 */
public final class HeldOutEvaluation {
    /** One held-out question: its category, the prompt (with {@code <image>}), the image file and the answer. */
    public record Question(String id, String category, String prompt, Path image, String answer) {}

    /** Accuracy overall and by category, and a few sample answers for the report. */
    public record Score(double accuracy, Map<String, Double> byCategory, List<String> examples) {}

    private HeldOutEvaluation() {}

    public static List<Question> read(Path jsonFile, Path imageRoot) {
        try {
            List<Question> out = new ArrayList<>();
            for (JsonNode r : new ObjectMapper().readTree(jsonFile.toFile())) {
                JsonNode conv = r.path("conversations");
                out.add(new Question(r.path("id").asText(), r.path("category").asText("all"),
                        conv.path(0).path("value").asText(), imageRoot.resolve(r.path("image").asText()),
                        conv.path(1).path("value").asText()));
            }
            return out;
        } catch (IOException e) {
            throw new UserError(jsonFile + ": not readable LLaVA JSON (" + e.getMessage() + ")");
        }
    }

    /** Expected accuracy of a uniform guess among each category's distinct training answers. */
    public static double chance(List<Question> heldOut, List<Question> train) {
        Map<String, Set<String>> answers = new HashMap<>();
        for (Question q : train) {
            answers.computeIfAbsent(q.category(), k -> new HashSet<>()).add(normalise(q.answer()));
        }
        return heldOut.stream().mapToDouble(q -> 1.0 / Math.max(1, answers.getOrDefault(q.category(), Set.of("?")).size()))
                .average().orElse(0);
    }

    public static Score evaluate(LlavaModel model, TextTokenizer tok, ChatTemplate template, List<Question> questions,
            NDManager parent) {
        int imageSize = model.config().visionConfig().imageSize();
        ClipImageProcessor images = new ClipImageProcessor(imageSize, true);
        Map<String, int[]> byCategory = new TreeMap<>();
        List<String> examples = new ArrayList<>();
        int right = 0;
        for (Question q : questions) {
            float[] pixels;
            try {
                pixels = images.preprocess(StrictImageReader.read(q.image()));
            } catch (IOException e) {
                throw new UserError(q.image() + ": held-out image of " + q.id() + " cannot be read (" + e.getMessage() + ")");
            }
            String prompt = q.prompt().replace(ImageTokens.IMAGE_PLACEHOLDER + "\n", "").replace(ImageTokens.IMAGE_PLACEHOLDER, "");
            String answer;
            try (NDManager m = parent.newSubManager()) {
                LlavaChat chat = new LlavaChat(model, tok, template, m);
                answer = chat.ask(prompt, pixels, new LlavaChat.GenerationSettings(4, 0, 1, 0)).text();
            }
            boolean ok = normalise(answer).equals(normalise(q.answer()));
            right += ok ? 1 : 0;
            int[] c = byCategory.computeIfAbsent(q.category(), k -> new int[2]);
            c[0] += ok ? 1 : 0;
            c[1]++;
            if (examples.size() < 4) {
                examples.add(String.format(Locale.ROOT, "%s → \"%s\" (expected \"%s\")",
                        prompt.lines().findFirst().orElse(""), answer, q.answer()));
            }
        }
        Map<String, Double> acc = new TreeMap<>();
        byCategory.forEach((k, c) -> acc.put(k, c[0] / (double) c[1]));
        return new Score(questions.isEmpty() ? 0 : right / (double) questions.size(), acc, examples);
    }

    static String normalise(String s) {
        return s.strip().toLowerCase(Locale.ROOT).replaceAll("[.\\s]+$", "");
    }
}
