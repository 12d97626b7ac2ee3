package io.moslora.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moslora.cli.UserError;
import org.junit.jupiter.api.Test;

class InternLM2ConfigTest {

    @Test
    void emptyConfigTakesInternLM2Defaults() {
        InternLM2Config c = (InternLM2Config) Fixtures.parse("{\"model_type\": \"internlm2\"}");
        assertThat(c.vocabSize()).isEqualTo(103168);
        assertThat(c.hiddenSize()).isEqualTo(4096);
        assertThat(c.intermediateSize()).isEqualTo(11008);
        assertThat(c.numHiddenLayers()).isEqualTo(32);
        assertThat(c.numAttentionHeads()).isEqualTo(32);
        assertThat(c.numKeyValueHeads()).isNull();
        assertThat(c.effectiveKvHeads()).isEqualTo(32);
        assertThat(c.effectiveHeadDim()).isEqualTo(128);
        assertThat(c.hiddenAct()).isEqualTo("silu");
        assertThat(c.maxPositionEmbeddings()).isEqualTo(2048);
        assertThat(c.initializerRange()).isEqualTo(0.02);
        assertThat(c.rmsNormEps()).isEqualTo(1e-6);
        assertThat(c.useCache()).isTrue();
        assertThat(c.padTokenId()).isEqualTo(0);
        assertThat(c.bosTokenId()).isEqualTo(1);
        assertThat(c.eosTokenIds()).containsExactly(2);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.bias()).isTrue();
        assertThat(c.attentionBias()).isTrue();
        assertThat(c.ropeTheta()).isEqualTo(10000.0);
        assertThat(c.ropeScaling()).isNull();
        assertThat(c.attnImplementation()).isEqualTo("eager");
        assertThat(c.torchDtype()).isNull();
        assertThat(c.extra()).isEmpty();
    }

    @Test
    void internlm2Chat7b() {
        InternLM2Config c = HfConfigs.load(Fixtures.config("internlm2-chat-7b/config.json"), InternLM2Config.class);
        assertThat(c.vocabSize()).isEqualTo(92544);
        assertThat(c.hiddenSize()).isEqualTo(4096);
        assertThat(c.intermediateSize()).isEqualTo(14336);
        assertThat(c.numHiddenLayers()).isEqualTo(32);
        assertThat(c.numAttentionHeads()).isEqualTo(32);
        assertThat(c.effectiveKvHeads()).isEqualTo(8);
        assertThat(c.queriesPerKvHead()).isEqualTo(4);
        assertThat(c.effectiveHeadDim()).isEqualTo(128);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(32768);
        assertThat(c.rmsNormEps()).isEqualTo(1e-5);
        assertThat(c.bias()).isFalse();
        assertThat(c.ropeTheta()).isEqualTo(1_000_000.0);
        assertThat(c.ropeScaling().ropeType()).isEqualTo("dynamic");
        assertThat(c.ropeScaling().factor()).isEqualTo(2.0);
        assertThat(c.padTokenId()).isEqualTo(2);
        assertThat(c.torchDtype()).isEqualTo("bfloat16");
        assertThat(c.extra()).containsOnlyKeys("auto_map", "transformers_version");
    }

    @Test
    void ropeScalingIsValidatedAsInternLM2Does() {
        assertThatThrownBy(() -> Fixtures.parse(
                "{\"model_type\": \"internlm2\", \"rope_scaling\": {\"type\": \"yarn\", \"factor\": 2.0}}"))
                .isInstanceOf(UserError.class)
                .hasMessage("config.json: field rope_scaling.type: must be \"linear\" or \"dynamic\", got \"yarn\"");
        assertThatThrownBy(() -> Fixtures.parse(
                "{\"model_type\": \"internlm2\", \"rope_scaling\": {\"type\": \"dynamic\", \"factor\": 0.5}}"))
                .hasMessage("config.json: field rope_scaling.factor: must be a number >= 1, got 0.5");
    }

    @Test
    void nullAttnImplementationMeansEager() {
        InternLM2Config c = (InternLM2Config) Fixtures.parse("{\"model_type\": \"internlm2\", \"attn_implementation\": null}");
        assertThat(c.attnImplementation()).isEqualTo("eager");
    }
}
