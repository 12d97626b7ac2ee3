package io.moslora.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * InternLM2's own {@code InternLM2Config} ({@code model_type: internlm2}, shipped as remote code with the
 * checkpoints). Its names differ from LLaMA's: one {@code bias} flag for all projections, and RoPE scaling of
 * {@code type} "linear" or "dynamic" with a {@code factor} of at least 1. Defaults are those of the
 * configuration_internlm2.py that comes with internlm/internlm2-chat-7b.
 */
public record InternLM2Config(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        Integer numKeyValueHeads,
        String hiddenAct,
        int maxPositionEmbeddings,
        double initializerRange,
        double rmsNormEps,
        boolean useCache,
        Integer padTokenId,
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        boolean tieWordEmbeddings,
        boolean bias,
        double ropeTheta,
        RopeScaling ropeScaling,
        String attnImplementation,
        String torchDtype,
        List<String> architectures,
        Map<String, JsonNode> extra) implements DecoderConfig {

    public static final String MODEL_TYPE = "internlm2";

    public static InternLM2Config fromJson(JsonNode json, Path source) {
        return read(ConfigFields.top(json, source));
    }

    static InternLM2Config read(ConfigFields f) {
        f.ignore("model_type");
        int hidden = f.integer("hidden_size", 4096);
        int heads = f.integer("num_attention_heads", 32);
        Integer kvHeads = f.optionalInteger("num_key_value_heads", null);
        ConfigFields scalingFields = f.optionalObject("rope_scaling");
        RopeScaling scaling = RopeScaling.read(scalingFields);
        if (scaling != null) {
            // The same checks InternLM2Config._rope_scaling_validation makes.
            if (!scaling.ropeType().equals("linear") && !scaling.ropeType().equals("dynamic")) {
                throw scalingFields.error("type", "must be \"linear\" or \"dynamic\", got \"" + scaling.ropeType() + "\"");
            }
            if (scaling.factor() == null || scaling.factor() < 1.0) {
                throw scalingFields.error("factor", "must be a number >= 1, got " + scaling.factor());
            }
        }
        String attn = f.optionalString("attn_implementation", "eager");
        InternLM2Config c = new InternLM2Config(
                f.integer("vocab_size", 103168),
                hidden,
                f.integer("intermediate_size", 11008),
                f.integer("num_hidden_layers", 32),
                heads,
                kvHeads,
                f.string("hidden_act", "silu"),
                f.integer("max_position_embeddings", 2048),
                f.real("initializer_range", 0.02),
                f.real("rms_norm_eps", 1e-6),
                f.bool("use_cache", true),
                f.optionalInteger("pad_token_id", 0),
                f.optionalInteger("bos_token_id", 1),
                DecoderFields.eosTokenIds(f, List.of(2)),
                f.bool("tie_word_embeddings", false),
                f.bool("bias", true),
                f.real("rope_theta", 10000),
                scaling,
                attn == null ? "eager" : attn,
                DecoderFields.torchDtype(f),
                f.optionalStrings("architectures"),
                f.extra());
        DecoderFields.checkHeads(f, hidden, heads, c.effectiveKvHeads(), false);
        return c;
    }

    @Override
    public String kind() {
        return MODEL_TYPE;
    }

    @Override
    public int effectiveKvHeads() {
        return numKeyValueHeads == null ? numAttentionHeads : numKeyValueHeads;
    }

    @Override
    public int effectiveHeadDim() {
        return hiddenSize / numAttentionHeads;
    }

    @Override
    public boolean attentionBias() {
        return bias;
    }

    /** Query heads that share one key/value head; {@code wqkv} packs them per KV group. */
    public int queriesPerKvHead() {
        return numAttentionHeads / effectiveKvHeads();
    }
}
