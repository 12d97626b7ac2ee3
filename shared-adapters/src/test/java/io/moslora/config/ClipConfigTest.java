package io.moslora.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClipConfigTest {

    @Test
    void emptyTextConfigTakesClipDefaults() {
        ClipTextConfig c = (ClipTextConfig) Fixtures.parse("{\"model_type\": \"clip_text_model\"}");
        assertThat(c.vocabSize()).isEqualTo(49408);
        assertThat(c.hiddenSize()).isEqualTo(512);
        assertThat(c.intermediateSize()).isEqualTo(2048);
        assertThat(c.projectionDim()).isEqualTo(512);
        assertThat(c.numHiddenLayers()).isEqualTo(12);
        assertThat(c.numAttentionHeads()).isEqualTo(8);
        assertThat(c.headDim()).isEqualTo(64);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(77);
        assertThat(c.hiddenAct()).isEqualTo("quick_gelu");
        assertThat(c.layerNormEps()).isEqualTo(1e-5);
        assertThat(c.attentionDropout()).isEqualTo(0.0);
        assertThat(c.initializerRange()).isEqualTo(0.02);
        assertThat(c.initializerFactor()).isEqualTo(1.0);
        assertThat(c.padTokenId()).isEqualTo(1);
        assertThat(c.bosTokenId()).isEqualTo(49406);
        assertThat(c.eosTokenId()).isEqualTo(49407);
        assertThat(c.poolsAtHighestTokenId()).isFalse();
        assertThat(c.hasProjection()).isFalse();
        assertThat(c.extra()).isEmpty();
    }

    @Test
    void emptyVisionConfigTakesClipDefaults() {
        ClipVisionConfig c = (ClipVisionConfig) Fixtures.parse("{\"model_type\": \"clip_vision_model\"}");
        assertThat(c.hiddenSize()).isEqualTo(768);
        assertThat(c.intermediateSize()).isEqualTo(3072);
        assertThat(c.projectionDim()).isEqualTo(512);
        assertThat(c.numHiddenLayers()).isEqualTo(12);
        assertThat(c.numAttentionHeads()).isEqualTo(12);
        assertThat(c.numChannels()).isEqualTo(3);
        assertThat(c.imageSize()).isEqualTo(224);
        assertThat(c.patchSize()).isEqualTo(32);
        assertThat(c.hiddenAct()).isEqualTo("quick_gelu");
        assertThat(c.layerNormEps()).isEqualTo(1e-5);
        assertThat(c.attentionDropout()).isEqualTo(0.0);
        assertThat(c.initializerRange()).isEqualTo(0.02);
        assertThat(c.initializerFactor()).isEqualTo(1.0);
        assertThat(c.numPatches()).isEqualTo(49);
        assertThat(c.numPositions()).isEqualTo(50);
    }

    @Test
    void emptyFullClipConfigNestsTheDefaults() {
        ClipConfig c = (ClipConfig) Fixtures.parse("{\"model_type\": \"clip\"}");
        assertThat(c.projectionDim()).isEqualTo(512);
        assertThat(c.logitScaleInitValue()).isEqualTo(2.6592);
        assertThat(c.textConfig().hiddenSize()).isEqualTo(512);
        assertThat(c.visionConfig().hiddenSize()).isEqualTo(768);
    }

    @Test
    void clipVitLargePatch14At336() {
        ClipConfig c = HfConfigs.load(Fixtures.config("clip-vit-large-patch14-336/config.json"), ClipConfig.class);
        assertThat(c.projectionDim()).isEqualTo(768);
        assertThat(c.logitScaleInitValue()).isEqualTo(2.6592);
        ClipVisionConfig v = c.visionConfig();
        assertThat(v.hiddenSize()).isEqualTo(1024);
        assertThat(v.intermediateSize()).isEqualTo(4096);
        assertThat(v.numHiddenLayers()).isEqualTo(24);
        assertThat(v.numAttentionHeads()).isEqualTo(16);
        assertThat(v.headDim()).isEqualTo(64);
        assertThat(v.patchSize()).isEqualTo(14);
        assertThat(v.imageSize()).isEqualTo(336);
        assertThat(v.projectionDim()).isEqualTo(768);
        assertThat(v.numPatches()).isEqualTo(576);
        assertThat(v.numPositions()).isEqualTo(577);
        assertThat(v.hiddenAct()).isEqualTo("quick_gelu");
        ClipTextConfig t = c.textConfig();
        assertThat(t.hiddenSize()).isEqualTo(768);
        assertThat(t.intermediateSize()).isEqualTo(3072);
        assertThat(t.numHiddenLayers()).isEqualTo(12);
        assertThat(t.numAttentionHeads()).isEqualTo(12);
        assertThat(t.projectionDim()).isEqualTo(768);
        assertThat(t.vocabSize()).isEqualTo(49408);
        // text_config_dict wins over text_config field by field, with CLIPTextConfig's defaults for what the dict
        // omits: the file's legacy eos 2 / bos 0 in text_config are replaced by the defaults, as transformers does.
        assertThat(t.eosTokenId()).isEqualTo(49407);
        assertThat(t.bosTokenId()).isEqualTo(49406);
        assertThat(t.extra()).containsKeys("dropout", "id2label", "top_k");
    }

    @Test
    void withoutConfigDictTheNestedConfigIsReadAsWritten() {
        ClipConfig c = (ClipConfig) Fixtures.parse(
                "{\"model_type\": \"clip\", \"text_config\": {\"eos_token_id\": 2, \"hidden_size\": 768, \"num_attention_heads\": 12}}");
        assertThat(c.textConfig().eosTokenId()).isEqualTo(2);
        assertThat(c.textConfig().hiddenSize()).isEqualTo(768);
    }

    @Test
    void sdxlTextEncoders() {
        ClipTextConfig one = HfConfigs.load(Fixtures.config("sdxl-base-1.0/text_encoder/config.json"), ClipTextConfig.class);
        assertThat(one.hiddenSize()).isEqualTo(768);
        assertThat(one.intermediateSize()).isEqualTo(3072);
        assertThat(one.numHiddenLayers()).isEqualTo(12);
        assertThat(one.numAttentionHeads()).isEqualTo(12);
        assertThat(one.projectionDim()).isEqualTo(768);
        assertThat(one.hiddenAct()).isEqualTo("quick_gelu");
        assertThat(one.hasProjection()).isFalse();
        assertThat(one.poolsAtHighestTokenId()).isTrue();
        assertThat(one.padTokenId()).isEqualTo(1);

        ClipTextConfig two = HfConfigs.load(Fixtures.config("sdxl-base-1.0/text_encoder_2/config.json"), ClipTextConfig.class);
        assertThat(two.hiddenSize()).isEqualTo(1280);
        assertThat(two.intermediateSize()).isEqualTo(5120);
        assertThat(two.numHiddenLayers()).isEqualTo(32);
        assertThat(two.numAttentionHeads()).isEqualTo(20);
        assertThat(two.headDim()).isEqualTo(64);
        assertThat(two.projectionDim()).isEqualTo(1280);
        assertThat(two.hiddenAct()).isEqualTo("gelu");
        assertThat(two.layerNormEps()).isEqualTo(1e-5);
        assertThat(two.maxPositionEmbeddings()).isEqualTo(77);
        assertThat(two.hasProjection()).isTrue();
        assertThat(two.torchDtype()).isEqualTo("float16");
        assertThat(two.extra()).containsOnlyKeys("dropout", "transformers_version");
    }
}
