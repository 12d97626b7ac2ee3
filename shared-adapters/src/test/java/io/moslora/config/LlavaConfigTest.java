package io.moslora.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moslora.cli.UserError;
import org.junit.jupiter.api.Test;

class LlavaConfigTest {

    @Test
    void emptyLlavaConfigUsesLlava15VisionTowerAndDefaultLlama() {
        LlavaConfig c = (LlavaConfig) Fixtures.parse("{\"model_type\": \"llava\"}");
        assertThat(c.imageTokenIndex()).isEqualTo(32000);
        assertThat(c.projectorHiddenAct()).isEqualTo("gelu");
        assertThat(c.visionFeatureSelectStrategy()).isEqualTo("default");
        assertThat(c.visionFeatureLayers()).containsExactly(-2);
        assertThat(c.imageSeqLength()).isEqualTo(576);
        assertThat(c.multimodalProjectorBias()).isTrue();
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.padTokenId()).isNull();

        ClipVisionConfig v = c.visionConfig();
        assertThat(v.hiddenSize()).isEqualTo(1024);
        assertThat(v.intermediateSize()).isEqualTo(4096);
        assertThat(v.numHiddenLayers()).isEqualTo(24);
        assertThat(v.numAttentionHeads()).isEqualTo(16);
        assertThat(v.patchSize()).isEqualTo(14);
        assertThat(v.imageSize()).isEqualTo(336);
        assertThat(v.projectionDim()).isEqualTo(768);
        assertThat(v.numChannels()).isEqualTo(3);
        assertThat(v.hiddenAct()).isEqualTo("quick_gelu");
        assertThat(v.layerNormEps()).isEqualTo(1e-5);
        assertThat(v.extra().get("vocab_size").intValue()).isEqualTo(32000);
        assertThat(c.imageFeatureTokens()).isEqualTo(576);

        LlamaConfig t = (LlamaConfig) c.textConfig();
        assertThat(t.vocabSize()).isEqualTo(32000);
        assertThat(t.hiddenSize()).isEqualTo(4096);
        assertThat(t.maxPositionEmbeddings()).isEqualTo(2048);
        assertThat(t.rmsNormEps()).isEqualTo(1e-6);
    }

    @Test
    void presentVisionConfigTakesClipDefaultsNotLlavas() {
        LlavaConfig c = (LlavaConfig) Fixtures.parse("{\"model_type\": \"llava\", \"vision_config\": {}, \"text_config\": {}}");
        assertThat(c.visionConfig().hiddenSize()).isEqualTo(768);
        assertThat(c.visionConfig().patchSize()).isEqualTo(32);
        assertThat(c.visionConfig().imageSize()).isEqualTo(224);
        assertThat(c.textConfig()).isInstanceOf(LlamaConfig.class); // no model_type: llama
    }

    @Test
    void llava15From7bHf() {
        LlavaConfig c = HfConfigs.load(Fixtures.config("llava-1.5-7b-hf/config.json"), LlavaConfig.class);
        assertThat(c.imageTokenIndex()).isEqualTo(32000);
        assertThat(c.padTokenId()).isEqualTo(32001);
        assertThat(c.projectorHiddenAct()).isEqualTo("gelu");
        assertThat(c.visionFeatureLayers()).containsExactly(-2);
        assertThat(c.visionFeatureSelectStrategy()).isEqualTo("default");
        assertThat(c.imageSeqLength()).isEqualTo(576);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.torchDtype()).isEqualTo("float16");
        assertThat(c.extra()).containsOnlyKeys("ignore_index", "transformers_version", "vocab_size");

        // The text config names only 4 fields; the rest are LlamaConfig's defaults, which are Vicuna-7B's shape.
        LlamaConfig t = (LlamaConfig) c.textConfig();
        assertThat(t.vocabSize()).isEqualTo(32064);
        assertThat(t.hiddenSize()).isEqualTo(4096);
        assertThat(t.intermediateSize()).isEqualTo(11008);
        assertThat(t.numHiddenLayers()).isEqualTo(32);
        assertThat(t.numAttentionHeads()).isEqualTo(32);
        assertThat(t.effectiveKvHeads()).isEqualTo(32);
        assertThat(t.effectiveHeadDim()).isEqualTo(128);
        assertThat(t.maxPositionEmbeddings()).isEqualTo(4096);
        assertThat(t.rmsNormEps()).isEqualTo(1e-5);
        assertThat(t.ropeTheta()).isEqualTo(10000.0);
        assertThat(t.bosTokenId()).isEqualTo(1);
        assertThat(t.eosTokenIds()).containsExactly(2);
        assertThat(t.padTokenId()).isNull();
        assertThat(t.hiddenAct()).isEqualTo("silu");

        ClipVisionConfig v = c.visionConfig();
        assertThat(v.hiddenSize()).isEqualTo(1024);
        assertThat(v.numHiddenLayers()).isEqualTo(24);
        assertThat(v.numPatches()).isEqualTo(576);
        assertThat(v.hiddenAct()).isEqualTo("quick_gelu"); // not in the file: CLIP's default
        assertThat(v.layerNormEps()).isEqualTo(1e-5);
        assertThat(c.imageFeatureTokens()).isEqualTo(576);
    }

    @Test
    void internlm2TextConfigAndFullStrategyAndAliases() {
        LlavaConfig c = (LlavaConfig) Fixtures.parse("""
                {"model_type": "llava", "image_token_id": 92544, "vision_feature_select_strategy": "full",
                 "vision_feature_layer": [-2, -5],
                 "text_config": {"model_type": "internlm2", "vocab_size": 92550, "tie_word_embeddings": true}}""");
        assertThat(c.textConfig()).isInstanceOf(InternLM2Config.class);
        assertThat(c.textConfig().vocabSize()).isEqualTo(92550);
        assertThat(c.imageTokenIndex()).isEqualTo(92544);
        assertThat(c.visionFeatureLayers()).containsExactly(-2, -5);
        assertThat(c.tieWordEmbeddings()).isTrue(); // inherited from the text config
        assertThat(c.imageFeatureTokens()).isEqualTo(577);
    }

    @Test
    void unsupportedNestedTypesAndStrategiesNameTheField() {
        assertThatThrownBy(() -> Fixtures.parse("{\"model_type\": \"llava\", \"text_config\": {\"model_type\": \"mistral\"}}"))
                .isInstanceOf(UserError.class)
                .hasMessage("config.json: field text_config.model_type: unsupported \"mistral\"; expected \"llama\" or \"internlm2\"");
        assertThatThrownBy(() -> Fixtures.parse("{\"model_type\": \"llava\", \"vision_feature_select_strategy\": \"patch\"}"))
                .hasMessage("config.json: field vision_feature_select_strategy: must be \"default\" or \"full\", got \"patch\"");
        assertThatThrownBy(() -> Fixtures.parse("{\"model_type\": \"llava\", \"vision_config\": {\"image_size\": \"336\"}}"))
                .hasMessage("config.json: field vision_config.image_size: expected an integer, got \"336\"");
    }
}
