package io.moslora.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * transformers' {@code LlavaConfig} ({@code model_type: llava}), the config of llava-hf checkpoints.
 *
 * <p>The nested configs follow LlavaConfig's own rules, which matter because llava-hf's files omit most fields:
 * <ul>
 *   <li>{@code text_config} present: resolved by its {@code model_type} ({@code llama} when it has none) with that
 *       config's defaults; absent: a default {@link LlamaConfig}.
 *   <li>{@code vision_config} present: a {@link ClipVisionConfig} with CLIP's defaults for what it omits; absent:
 *       LLaVA-1.5's tower (ViT-L/14 at 336 pixels: hidden 1024, intermediate 4096, 24 layers, 16 heads,
 *       projection 768).
 *   <li>{@code tie_word_embeddings} is true when either this config or the text config says so.
 * </ul>
 *
 * @param visionFeatureLayers the layer(s) whose hidden states feed the projector ({@code -2}: the penultimate)
 * @param padTokenId the top-level {@code pad_token_id} (llava-hf sets 32001), or null
 */
public record LlavaConfig(
        DecoderConfig textConfig,
        ClipVisionConfig visionConfig,
        int imageTokenIndex,
        String projectorHiddenAct,
        String visionFeatureSelectStrategy,
        List<Integer> visionFeatureLayers,
        int imageSeqLength,
        boolean multimodalProjectorBias,
        boolean tieWordEmbeddings,
        Integer padTokenId,
        String torchDtype,
        List<String> architectures,
        Map<String, JsonNode> extra) implements HfConfig {

    public static final String MODEL_TYPE = "llava";

    public static LlavaConfig fromJson(JsonNode json, Path source) {
        ConfigFields f = ConfigFields.top(json, source);
        f.ignore("model_type");
        DecoderConfig text = textConfig(f);
        ClipVisionConfig vision = visionConfig(f);
        // "image_token_id" is transformers' alias of image_token_index.
        int imageToken = f.has("image_token_index") ? f.integer("image_token_index", 32000)
                : f.integer("image_token_id", 32000);
        String strategy = f.string("vision_feature_select_strategy", "default");
        if (!strategy.equals("default") && !strategy.equals("full")) {
            throw f.error("vision_feature_select_strategy", "must be \"default\" or \"full\", got \"" + strategy + "\"");
        }
        boolean tie = f.bool("tie_word_embeddings", false);
        return new LlavaConfig(
                text,
                vision,
                imageToken,
                f.string("projector_hidden_act", "gelu"),
                strategy,
                f.intOrIntList("vision_feature_layer", List.of(-2)),
                f.integer("image_seq_length", 576),
                f.bool("multimodal_projector_bias", true),
                tie || text.tieWordEmbeddings(),
                f.optionalInteger("pad_token_id", null),
                DecoderFields.torchDtype(f),
                f.optionalStrings("architectures"),
                f.extra());
    }

    private static DecoderConfig textConfig(ConfigFields f) {
        ConfigFields text = f.optionalObject("text_config");
        if (text == null) {
            return LlamaConfig.read(new ConfigFields(JsonNodeFactory.instance.objectNode(), f.file(), "text_config."));
        }
        String type = text.string("model_type", LlamaConfig.MODEL_TYPE);
        return switch (type) {
            case LlamaConfig.MODEL_TYPE -> LlamaConfig.read(text);
            case InternLM2Config.MODEL_TYPE -> InternLM2Config.read(text);
            default -> throw text.error("model_type", "unsupported \"" + type + "\"; expected \"llama\" or \"internlm2\"");
        };
    }

    private static ClipVisionConfig visionConfig(ConfigFields f) {
        ConfigFields vision = f.optionalObject("vision_config");
        if (vision != null) {
            String type = vision.string("model_type", ClipVisionConfig.MODEL_TYPE);
            if (!type.equals(ClipVisionConfig.MODEL_TYPE)) {
                throw vision.error("model_type", "unsupported \"" + type + "\"; expected \"clip_vision_model\"");
            }
            return ClipVisionConfig.read(vision);
        }
        var llava15 = JsonNodeFactory.instance.objectNode();
        llava15.put("intermediate_size", 4096);
        llava15.put("hidden_size", 1024);
        llava15.put("patch_size", 14);
        llava15.put("image_size", 336);
        llava15.put("num_hidden_layers", 24);
        llava15.put("num_attention_heads", 16);
        llava15.set("vocab_size", IntNode.valueOf(32000)); // passed by LlavaConfig, unused by CLIP: stays extra
        llava15.put("projection_dim", 768);
        return ClipVisionConfig.read(new ConfigFields(llava15, f.file(), "vision_config."));
    }

    @Override
    public String kind() {
        return MODEL_TYPE;
    }

    /** Image features per image after the select strategy: "default" drops the class token. */
    public int imageFeatureTokens() {
        return visionFeatureSelectStrategy.equals("default") ? visionConfig.numPatches() : visionConfig.numPositions();
    }
}
