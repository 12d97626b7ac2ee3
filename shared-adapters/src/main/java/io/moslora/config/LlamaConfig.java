package io.moslora.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * transformers' {@code LlamaConfig} ({@code model_type: llama}): Llama 2/3, Vicuna and the LLM inside llava-hf
 * checkpoints. Defaults are those of transformers' configuration_llama.py (a Llama-2-7B shape).
 *
 * @param numKeyValueHeads as written in the file (null when absent); use {@link #effectiveKvHeads()}
 * @param headDim as written in the file (null when absent); use {@link #effectiveHeadDim()}
 */
public record LlamaConfig(
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
        Integer pretrainingTp,
        boolean tieWordEmbeddings,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean attentionBias,
        double attentionDropout,
        boolean mlpBias,
        Integer headDim,
        String torchDtype,
        List<String> architectures,
        Map<String, JsonNode> extra) implements DecoderConfig {

    public static final String MODEL_TYPE = "llama";

    public static LlamaConfig fromJson(JsonNode json, Path source) {
        return read(ConfigFields.top(json, source));
    }

    static LlamaConfig read(ConfigFields f) {
        f.ignore("model_type");
        int hidden = f.integer("hidden_size", 4096);
        int heads = f.integer("num_attention_heads", 32);
        Integer kvHeads = f.optionalInteger("num_key_value_heads", null);
        Integer headDim = f.optionalInteger("head_dim", null);
        double ropeTheta = f.real("rope_theta", 10000.0);
        RopeScaling scaling = RopeScaling.read(f.optionalObject("rope_scaling"));
        // transformers 5 writes rope_theta and the scaling together as rope_parameters.
        ConfigFields params = f.optionalObject("rope_parameters");
        if (params != null) {
            ropeTheta = params.real("rope_theta", ropeTheta);
            String type = params.optionalString("rope_type", params.optionalString("type", "default"));
            if (!"default".equals(type)) {
                scaling = new RopeScaling(type, params.optionalReal("factor", null),
                        params.optionalInteger("original_max_position_embeddings", null),
                        params.optionalReal("low_freq_factor", null),
                        params.optionalReal("high_freq_factor", null), params.extra());
            }
        }
        LlamaConfig c = new LlamaConfig(
                f.integer("vocab_size", 32000),
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
                f.optionalInteger("pad_token_id", null),
                f.optionalInteger("bos_token_id", 1),
                DecoderFields.eosTokenIds(f, List.of(2)),
                f.optionalInteger("pretraining_tp", 1),
                f.bool("tie_word_embeddings", false),
                ropeTheta,
                scaling,
                f.bool("attention_bias", false),
                f.real("attention_dropout", 0.0),
                f.bool("mlp_bias", false),
                headDim,
                DecoderFields.torchDtype(f),
                f.optionalStrings("architectures"),
                f.extra());
        DecoderFields.checkHeads(f, hidden, heads, c.effectiveKvHeads(), headDim != null);
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
        return headDim == null ? hiddenSize / numAttentionHeads : headDim;
    }
}
