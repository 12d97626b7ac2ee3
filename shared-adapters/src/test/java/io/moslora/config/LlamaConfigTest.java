package io.moslora.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LlamaConfigTest {

    @Test
    void emptyConfigTakesTransformersDefaults() {
        LlamaConfig c = (LlamaConfig) Fixtures.parse("{\"model_type\": \"llama\"}");
        assertThat(c.vocabSize()).isEqualTo(32000);
        assertThat(c.hiddenSize()).isEqualTo(4096);
        assertThat(c.intermediateSize()).isEqualTo(11008);
        assertThat(c.numHiddenLayers()).isEqualTo(32);
        assertThat(c.numAttentionHeads()).isEqualTo(32);
        assertThat(c.numKeyValueHeads()).isNull();
        assertThat(c.effectiveKvHeads()).isEqualTo(32);
        assertThat(c.headDim()).isNull();
        assertThat(c.effectiveHeadDim()).isEqualTo(128);
        assertThat(c.hiddenAct()).isEqualTo("silu");
        assertThat(c.maxPositionEmbeddings()).isEqualTo(2048);
        assertThat(c.initializerRange()).isEqualTo(0.02);
        assertThat(c.rmsNormEps()).isEqualTo(1e-6);
        assertThat(c.useCache()).isTrue();
        assertThat(c.padTokenId()).isNull();
        assertThat(c.bosTokenId()).isEqualTo(1);
        assertThat(c.eosTokenIds()).containsExactly(2);
        assertThat(c.pretrainingTp()).isEqualTo(1);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.ropeTheta()).isEqualTo(10000.0);
        assertThat(c.ropeScaling()).isNull();
        assertThat(c.attentionBias()).isFalse();
        assertThat(c.attentionDropout()).isEqualTo(0.0);
        assertThat(c.mlpBias()).isFalse();
        assertThat(c.torchDtype()).isNull();
        assertThat(c.architectures()).isEmpty();
        assertThat(c.extra()).isEmpty();
        assertThat(c.kind()).isEqualTo("llama");
    }

    @Test
    void vicuna7bV15() {
        LlamaConfig c = HfConfigs.load(Fixtures.config("vicuna-7b-v1.5/config.json"), LlamaConfig.class);
        assertThat(c.vocabSize()).isEqualTo(32000);
        assertThat(c.hiddenSize()).isEqualTo(4096);
        assertThat(c.intermediateSize()).isEqualTo(11008);
        assertThat(c.numHiddenLayers()).isEqualTo(32);
        assertThat(c.effectiveKvHeads()).isEqualTo(32);
        assertThat(c.effectiveHeadDim()).isEqualTo(128);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(4096);
        assertThat(c.rmsNormEps()).isEqualTo(1e-5);
        assertThat(c.ropeTheta()).isEqualTo(10000.0); // not in the file: the default
        assertThat(c.ropeScaling()).isNull();
        assertThat(c.padTokenId()).isEqualTo(0);
        assertThat(c.eosTokenIds()).containsExactly(2);
        assertThat(c.torchDtype()).isEqualTo("float16");
        assertThat(c.architectures()).containsExactly("LlamaForCausalLM");
        assertThat(c.extra()).containsOnlyKeys("_name_or_path", "transformers_version");
        assertThat(c.extra().get("transformers_version").asText()).isEqualTo("4.31.0");
    }

    @Test
    void llama3Instruct8b() {
        LlamaConfig c = HfConfigs.load(Fixtures.config("Meta-Llama-3-8B-Instruct/config.json"), LlamaConfig.class);
        assertThat(c.vocabSize()).isEqualTo(128256);
        assertThat(c.intermediateSize()).isEqualTo(14336);
        assertThat(c.numAttentionHeads()).isEqualTo(32);
        assertThat(c.effectiveKvHeads()).isEqualTo(8);
        assertThat(c.effectiveHeadDim()).isEqualTo(128);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(8192);
        assertThat(c.ropeTheta()).isEqualTo(500000.0);
        assertThat(c.bosTokenId()).isEqualTo(128000);
        assertThat(c.eosTokenIds()).containsExactly(128009);
        assertThat(c.padTokenId()).isNull();
        assertThat(c.torchDtype()).isEqualTo("bfloat16");
        assertThat(c.mlpBias()).isFalse();
    }

    @Test
    void llama3RopeScalingListEosAndExplicitHeadDim() {
        LlamaConfig c = (LlamaConfig) Fixtures.parse("""
                {"model_type": "llama", "hidden_size": 2048, "num_attention_heads": 32, "num_key_value_heads": 8,
                 "head_dim": 64, "eos_token_id": [128001, 128008, 128009],
                 "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                                  "original_max_position_embeddings": 8192, "rope_type": "llama3"}}""");
        assertThat(c.effectiveHeadDim()).isEqualTo(64);
        assertThat(c.eosTokenIds()).containsExactly(128001, 128008, 128009);
        RopeScaling s = c.ropeScaling();
        assertThat(s.ropeType()).isEqualTo("llama3");
        assertThat(s.factor()).isEqualTo(32.0);
        assertThat(s.lowFreqFactor()).isEqualTo(1.0);
        assertThat(s.highFreqFactor()).isEqualTo(4.0);
        assertThat(s.originalMaxPositionEmbeddings()).isEqualTo(8192);
        assertThat(s.extra()).isEmpty();
    }

    @Test
    void legacyTypeKeyAndTransformers5RopeParameters() {
        LlamaConfig legacy = (LlamaConfig) Fixtures.parse(
                "{\"model_type\": \"llama\", \"rope_scaling\": {\"type\": \"linear\", \"factor\": 4}}");
        assertThat(legacy.ropeScaling().ropeType()).isEqualTo("linear");
        assertThat(legacy.ropeScaling().factor()).isEqualTo(4.0);

        LlamaConfig v5 = (LlamaConfig) Fixtures.parse(
                "{\"model_type\": \"llama\", \"rope_parameters\": {\"rope_type\": \"default\", \"rope_theta\": 500000.0}}");
        assertThat(v5.ropeTheta()).isEqualTo(500000.0);
        assertThat(v5.ropeScaling()).isNull();
    }

    @Test
    void unknownFieldsAreKeptAndIgnored() {
        LlamaConfig c = (LlamaConfig) Fixtures.parse(
                "{\"model_type\": \"llama\", \"my_flag\": {\"a\": [1, 2]}, \"num_hidden_layers\": 2}");
        assertThat(c.numHiddenLayers()).isEqualTo(2);
        assertThat(c.extra()).containsOnlyKeys("my_flag");
        assertThat(c.extra().get("my_flag").get("a").get(1).intValue()).isEqualTo(2);
        assertThat(c.extra()).isUnmodifiable();
    }

    @Test
    void kvHeadsNullMeansAllHeads() {
        LlamaConfig c = (LlamaConfig) Fixtures.parse(
                "{\"model_type\": \"llama\", \"num_attention_heads\": 8, \"hidden_size\": 64, \"num_key_value_heads\": null}");
        assertThat(c.effectiveKvHeads()).isEqualTo(8);
        assertThat(c.effectiveHeadDim()).isEqualTo(8);
        assertThat(List.of(c.numKeyValueHeads() == null)).containsExactly(true);
    }
}
