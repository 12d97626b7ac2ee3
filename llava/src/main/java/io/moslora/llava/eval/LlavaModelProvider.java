package io.moslora.llava.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.cli.UserError;
import io.moslora.eval.model.GenerationSettings;
import io.moslora.eval.model.VisionLanguageModel;
import io.moslora.eval.model.VisionLanguageModelProvider;
import io.moslora.llava.chat.LlavaAdapters;
import io.moslora.llava.chat.LlavaChat;
import io.moslora.llava.data.ClipImageProcessor;
import io.moslora.llava.model.LlavaLoader;
import io.moslora.llava.model.LlavaModel;
import io.moslora.llava.template.ChatTemplate;
import io.moslora.llava.template.ChatTemplates;
import io.moslora.llava.template.VicunaV1Template;
import io.moslora.llava.tokenizer.ImageTokens;
import io.moslora.llava.tokenizer.TextTokenizer;
import io.moslora.llava.train.LlavaTrainer;
import io.moslora.llava.train.TrainedLlava;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Lets {@code ./moslora eval run} use a LLaVA model: a llava-hf folder (config.json with model_type llava and the
 * tokenizer beside it), optionally with {@code --adapter} a {@code llava train} output folder (LLM + vision
 * adapters + projector) or a single PEFT adapter. The chat template is the one the training used
 * ({@code train_config.json} in the adapter or model folder), else LLaVA-1.5's vicuna_v1.
 */
public final class LlavaModelProvider implements VisionLanguageModelProvider {
    @Override
    public boolean accepts(Path modelDir) {
        Path cfg = modelDir.resolve("config.json");
        if (!Files.isRegularFile(cfg)) {
            return false;
        }
        try {
            return "llava".equals(new ObjectMapper().readTree(cfg.toFile()).path("model_type").asText());
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public VisionLanguageModel open(Path modelDir, Path adapterDir) {
        NDManager m = NDManager.newBaseManager();
        LlavaModel model = LlavaLoader.load(modelDir, m, DataType.FLOAT32);
        if (adapterDir != null) {
            if (TrainedLlava.isTrainingOutput(adapterDir)) {
                TrainedLlava.apply(model, adapterDir, m);
            } else {
                LlavaAdapters.attach(model, adapterDir, m);
            }
        }
        TextTokenizer tok = TextTokenizer.open(modelDir);
        String templateName = templateOf(adapterDir, modelDir);
        ChatTemplate template = ChatTemplates.named(templateName, modelDir);
        String name = (adapterDir != null ? adapterDir : modelDir).getFileName().toString();
        return new LlavaVisionLanguageModel(model, tok, template, m, name);
    }

    static String templateOf(Path adapterDir, Path modelDir) {
        for (Path dir : adapterDir == null ? List.of(modelDir) : List.of(adapterDir, modelDir)) {
            Path cfg = dir.resolve(LlavaTrainer.RESOLVED_CONFIG);
            if (Files.isRegularFile(cfg)) {
                try {
                    JsonNode t = new ObjectMapper().readTree(cfg.toFile()).get("template");
                    if (t != null && t.isTextual()) {
                        return t.asText();
                    }
                } catch (IOException e) {
                    throw new UserError(cfg + ": not valid JSON (" + e.getMessage() + ")");
                }
            }
        }
        return VicunaV1Template.NAME;
    }

    /** One loaded model answering one question at a time with a fresh conversation. */
    record LlavaVisionLanguageModel(LlavaModel model, TextTokenizer tokenizer, ChatTemplate template, NDManager manager,
            String name) implements VisionLanguageModel {
        @Override
        public String generate(List<BufferedImage> images, String prompt, GenerationSettings settings) {
            if (images.size() > 1) {
                throw new UserError("LLaVA-1.5 takes one image per question; this one has " + images.size());
            }
            float[] pixels = images.isEmpty() ? null
                    : new ClipImageProcessor(model.config().visionConfig().imageSize(), true).preprocess(images.get(0));
            String text = prompt.replace(ImageTokens.IMAGE_PLACEHOLDER + "\n", "").replace(ImageTokens.IMAGE_PLACEHOLDER, "");
            try (NDManager m = manager.newSubManager()) {
                return new LlavaChat(model, tokenizer, template, m)
                        .ask(text, pixels, new LlavaChat.GenerationSettings(settings.maxNewTokens(), settings.temperature(), 1.0, 0))
                        .text().strip();
            }
        }
    }
}
