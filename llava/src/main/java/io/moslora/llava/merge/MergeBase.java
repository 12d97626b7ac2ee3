package io.moslora.llava.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moslora.cli.UserError;
import io.moslora.config.HfConfig;
import io.moslora.config.HfConfigs;
import io.moslora.config.LlavaConfig;
import io.moslora.io.ShardedCheckpoint;
import io.moslora.io.TensorReader;
import io.moslora.llava.model.CheckpointLayout;
import io.moslora.llava.model.LlavaModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The base LLaVA a merge starts from, in whichever layout the user has it, seen the same way: its tensor files,
 * each with a rename from the file's keys to llava-hf keys ({@code null}: a tensor LLaVA does not use), the
 * llava-hf {@code config.json} the merged folder gets, and the folders whose side files (tokenizer, generation
 * config, image processor) are carried over, first one winning.
 */
final class MergeBase implements AutoCloseable {
    /** One tensor file of the base and how its keys read in llava-hf. */
    record Part(TensorReader reader, UnaryOperator<String> toLlavaHf) {}

    /** llava-hf's token id for {@code <image>} (the 32000th id after Vicuna's 32000-word vocabulary). */
    static final int LLAVA_HF_IMAGE_TOKEN = 32000;

    private final List<Part> parts;
    private final ObjectNode configJson;
    private final LlavaConfig config;
    private final List<Path> sideFileFolders;

    /** Takes ownership of the parts' readers only on success; the factories close them otherwise. */
    private MergeBase(List<Part> parts, ObjectNode configJson, Path configSource, List<Path> sideFileFolders) {
        this.parts = parts;
        this.configJson = configJson;
        HfConfig parsed = HfConfigs.parse(configJson, configSource);
        if (!(parsed instanceof LlavaConfig llava)) {
            throw new UserError(configSource + ": field model_type: '" + parsed.kind()
                    + "' is not a LLaVA checkpoint (expected llava); give XTuner parts with --llm/--visual-encoder/--projector");
        }
        this.config = llava;
        this.sideFileFolders = sideFileFolders;
    }

    /** A llava-hf folder in either key layout (transformers ≤ 4.51 or ≥ 4.52). */
    static MergeBase llavaHf(Path folder) {
        Path configFile = configOf(folder);
        ObjectNode json = object(configFile);
        ShardedCheckpoint ckpt = ShardedCheckpoint.open(folder);
        try {
            HfConfig parsed = HfConfigs.parse(json, configFile);
            String head = parsed instanceof LlavaConfig c ? new LlavaModel(c).languageModel().headName() : "lm_head";
            CheckpointLayout layout = CheckpointLayout.detect(ckpt.names());
            return new MergeBase(List.of(new Part(ckpt, layout.rename(head))), json, configFile, List.of(folder));
        } catch (RuntimeException e) {
            ckpt.close();
            throw e;
        }
    }

    /**
     * XTuner's parts: an LLM folder, a CLIP folder (full CLIP or vision-only) and the projector ({@code model.0/2}).
     * The config is composed as llava-hf's conversion does: the LLM's config as {@code text_config}, CLIP's vision
     * part as {@code vision_config}, LLaVA-1.5's feature choice (layer −2, class token dropped, GELU projector).
     */
    static MergeBase xtuner(Path llm, Path clip, Path projector, int imageTokenIndex) {
        Path llmConfig = configOf(llm);
        Path clipConfig = configOf(clip);
        ObjectNode json = composedConfig(object(llmConfig), visionConfig(object(clipConfig), clipConfig),
                imageTokenIndex);
        if (!Files.exists(projector)) {
            throw new UserError(projector + ": projector file not found (--projector)");
        }
        List<Part> parts = new ArrayList<>();
        try {
            parts.add(new Part(ShardedCheckpoint.open(llm), k -> k.endsWith(".position_ids") ? null : "language_model." + k));
            parts.add(new Part(ShardedCheckpoint.open(clip), prefixed("vision_tower.",
                    CheckpointLayout.CLIP_VISION.rename("lm_head"))));
            parts.add(new Part(ShardedCheckpoint.open(projector), prefixed("multi_modal_projector.",
                    CheckpointLayout.XTUNER_PROJECTOR.rename("lm_head"))));
            // from CLIP only its image-processor config: its tokenizer is not the LLM's
            Path clipDir = Files.isDirectory(clip) ? clip : clip.getParent();
            return new MergeBase(parts, json, llmConfig, List.of(llm, clipDir.resolve("preprocessor_config.json")));
        } catch (RuntimeException e) {
            parts.forEach(p -> p.reader().close());
            throw e;
        }
    }

    private static UnaryOperator<String> prefixed(String prefix, UnaryOperator<String> rename) {
        return k -> {
            String ours = rename.apply(k);
            return ours == null ? null : prefix + ours;
        };
    }

    private static ObjectNode composedConfig(ObjectNode text, ObjectNode vision, int imageTokenIndex) {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.putArray("architectures").add("LlavaForConditionalGeneration");
        c.put("model_type", LlavaConfig.MODEL_TYPE);
        c.put("image_token_index", imageTokenIndex);
        c.put("projector_hidden_act", "gelu");
        c.put("vision_feature_layer", -2);
        c.put("vision_feature_select_strategy", "default");
        c.put("ignore_index", -100);
        c.put("tie_word_embeddings", text.path("tie_word_embeddings").asBoolean(false));
        c.set("text_config", text);
        c.set("vision_config", vision);
        return c;
    }

    /** The vision tower's config: a full CLIP's {@code vision_config}, or a {@code CLIPVisionModel}'s own. */
    private static ObjectNode visionConfig(ObjectNode clip, Path file) {
        String type = clip.path("model_type").asText("");
        ObjectNode vision;
        if (type.equals("clip")) {
            JsonNode v = clip.get("vision_config");
            vision = v instanceof ObjectNode o ? o.deepCopy() : JsonNodeFactory.instance.objectNode();
        } else if (type.equals("clip_vision_model")) {
            vision = clip.deepCopy();
            vision.remove("architectures");
        } else {
            throw new UserError(file + ": field model_type: '" + type
                    + "' is not a CLIP vision tower (expected clip or clip_vision_model)");
        }
        vision.put("model_type", "clip_vision_model");
        return vision;
    }

    List<Part> parts() {
        return parts;
    }

    /** The merged folder's {@code config.json}. */
    ObjectNode configJson() {
        return configJson;
    }

    LlavaConfig config() {
        return config;
    }

    List<Path> sideFileFolders() {
        return sideFileFolders;
    }

    private static Path configOf(Path folder) {
        Path dir = Files.isDirectory(folder) ? folder : folder.getParent();
        Path config = dir == null ? Path.of("config.json") : dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new UserError(folder + ": no config.json there; point at the checkpoint folder holding config.json");
        }
        return config;
    }

    private static ObjectNode object(Path file) {
        JsonNode n = HfConfigs.readJson(file);
        if (!(n instanceof ObjectNode o)) {
            throw new UserError(file + ": expected a JSON object at the top level");
        }
        return o;
    }

    @Override
    public void close() {
        parts.forEach(p -> p.reader().close());
    }
}
