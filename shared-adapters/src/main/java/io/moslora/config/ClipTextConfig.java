package io.moslora.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * transformers' {@code CLIPTextConfig} ({@code model_type: clip_text_model}): SDXL's two text encoders and the text
 * half of a full CLIP config. Defaults are those of configuration_clip.py (the openai/clip-vit-base-patch32 text
 * tower). {@code CLIPTextModelWithProjection} (SDXL's {@code text_encoder_2}) adds a bias-free
 * {@code text_projection} of width {@link #projectionDim()}.
 */
public record ClipTextConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int projectionDim,
        int numHiddenLayers,
        int numAttentionHeads,
        int maxPositionEmbeddings,
        String hiddenAct,
        double layerNormEps,
        double attentionDropout,
        double initializerRange,
        double initializerFactor,
        Integer padTokenId,
        Integer bosTokenId,
        Integer eosTokenId,
        String torchDtype,
        List<String> architectures,
        Map<String, JsonNode> extra) implements HfConfig {

    public static final String MODEL_TYPE = "clip_text_model";

    public static ClipTextConfig fromJson(JsonNode json, Path source) {
        return read(ConfigFields.top(json, source));
    }

    static ClipTextConfig read(ConfigFields f) {
        f.ignore("model_type");
        ClipTextConfig c = new ClipTextConfig(
                f.integer("vocab_size", 49408),
                f.integer("hidden_size", 512),
                f.integer("intermediate_size", 2048),
                f.integer("projection_dim", 512),
                f.integer("num_hidden_layers", 12),
                f.integer("num_attention_heads", 8),
                f.integer("max_position_embeddings", 77),
                f.string("hidden_act", "quick_gelu"),
                f.real("layer_norm_eps", 1e-5),
                f.real("attention_dropout", 0.0),
                f.real("initializer_range", 0.02),
                f.real("initializer_factor", 1.0),
                f.optionalInteger("pad_token_id", 1),
                f.optionalInteger("bos_token_id", 49406),
                f.optionalInteger("eos_token_id", 49407),
                DecoderFields.torchDtype(f),
                f.optionalStrings("architectures"),
                f.extra());
        if (c.numAttentionHeads <= 0 || c.hiddenSize % c.numAttentionHeads != 0) {
            throw f.error("num_attention_heads", c.numAttentionHeads + " does not divide hidden_size " + c.hiddenSize);
        }
        return c;
    }

    @Override
    public String kind() {
        return MODEL_TYPE;
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** True for {@code CLIPTextModelWithProjection} checkpoints (SDXL's second text encoder). */
    public boolean hasProjection() {
        return architectures.contains("CLIPTextModelWithProjection");
    }

    /**
     * Configs saved before transformers fixed the CLIP special ids carry {@code eos_token_id: 2}; for them
     * transformers pools the text at the position of the highest token id (the real end token, 49407) instead
     * of the first {@code eos_token_id}. SDXL's text encoders are such configs.
     */
    public boolean poolsAtHighestTokenId() {
        return eosTokenId != null && eosTokenId == 2;
    }
}
