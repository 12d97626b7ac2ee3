package io.moslora.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * transformers' {@code CLIPVisionConfig} ({@code model_type: clip_vision_model}): LLaVA's vision tower and the
 * vision half of a full CLIP config. Defaults are those of configuration_clip.py (ViT-B/32 at 224 pixels); LLaVA
 * substitutes its own when its config has no {@code vision_config} at all (see {@link LlavaConfig}).
 */
public record ClipVisionConfig(
        int hiddenSize,
        int intermediateSize,
        int projectionDim,
        int numHiddenLayers,
        int numAttentionHeads,
        int numChannels,
        int imageSize,
        int patchSize,
        String hiddenAct,
        double layerNormEps,
        double attentionDropout,
        double initializerRange,
        double initializerFactor,
        String torchDtype,
        List<String> architectures,
        Map<String, JsonNode> extra) implements HfConfig {

    public static final String MODEL_TYPE = "clip_vision_model";

    public static ClipVisionConfig fromJson(JsonNode json, Path source) {
        return read(ConfigFields.top(json, source));
    }

    static ClipVisionConfig read(ConfigFields f) {
        f.ignore("model_type");
        ClipVisionConfig c = new ClipVisionConfig(
                f.integer("hidden_size", 768),
                f.integer("intermediate_size", 3072),
                f.integer("projection_dim", 512),
                f.integer("num_hidden_layers", 12),
                f.integer("num_attention_heads", 12),
                f.integer("num_channels", 3),
                f.integer("image_size", 224),
                f.integer("patch_size", 32),
                f.string("hidden_act", "quick_gelu"),
                f.real("layer_norm_eps", 1e-5),
                f.real("attention_dropout", 0.0),
                f.real("initializer_range", 0.02),
                f.real("initializer_factor", 1.0),
                DecoderFields.torchDtype(f),
                f.optionalStrings("architectures"),
                f.extra());
        if (c.numAttentionHeads <= 0 || c.hiddenSize % c.numAttentionHeads != 0) {
            throw f.error("num_attention_heads", c.numAttentionHeads + " does not divide hidden_size " + c.hiddenSize);
        }
        if (c.patchSize <= 0 || c.imageSize % c.patchSize != 0) {
            throw f.error("patch_size", c.patchSize + " does not divide image_size " + c.imageSize);
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

    /** Patches per image: 576 for ViT-L/14 at 336 pixels. */
    public int numPatches() {
        int side = imageSize / patchSize;
        return side * side;
    }

    /** Position embeddings: one per patch plus the class token. */
    public int numPositions() {
        return numPatches() + 1;
    }
}
