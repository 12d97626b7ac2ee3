package io.moslora.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moslora.cli.UserError;
import org.junit.jupiter.api.Test;

/** The embedded tiny configs parse and fit together the way the pipelines will wire them. */
class TinyConfigsTest {

    @Test
    void everyTinyConfigParsesWithNoUnknownFields() {
        for (String name : TinyConfigs.NAMES) {
            HfConfig c = TinyConfigs.load(name);
            assertThat(c.extra()).as(name).isEmpty();
        }
    }

    @Test
    void tinyLlavaIsConsistent() {
        LlavaConfig llava = TinyConfigs.load("tiny-llava", LlavaConfig.class);
        DecoderConfig text = llava.textConfig();
        assertThat(text.hiddenSize()).isEqualTo(64);
        assertThat(text.numHiddenLayers()).isEqualTo(2);
        assertThat(text.effectiveHeadDim()).isEqualTo(16);
        assertThat(text.effectiveKvHeads()).isEqualTo(2);
        assertThat(llava.imageTokenIndex()).isLessThan(text.vocabSize());
        assertThat(llava.padTokenId()).isLessThan(text.vocabSize());
        assertThat(llava.imageSeqLength()).isEqualTo(llava.imageFeatureTokens()).isEqualTo(16);
        assertThat(llava.visionConfig().numHiddenLayers()).isEqualTo(2);
        assertThat(TinyConfigs.load("tiny-clip-vision", ClipVisionConfig.class)).usingRecursiveComparison()
                .ignoringFields("architectures").isEqualTo(llava.visionConfig());
        assertThat(TinyConfigs.load("tiny-internlm2", InternLM2Config.class).effectiveHeadDim()).isEqualTo(16);
    }

    @Test
    void tinySdxlPartsFitTogether() {
        UNet2DConditionConfig unet = TinyConfigs.load("tiny-unet", UNet2DConditionConfig.class);
        ClipTextConfig one = TinyConfigs.load("tiny-clip-text", ClipTextConfig.class);
        ClipTextConfig two = TinyConfigs.load("tiny-clip-text-2", ClipTextConfig.class);
        AutoencoderKLConfig vae = TinyConfigs.load("tiny-vae", AutoencoderKLConfig.class);
        SchedulerConfig scheduler = TinyConfigs.load("tiny-scheduler", SchedulerConfig.class);
        assertThat(unet.blockOutChannels()).hasSize(2);
        // SDXL's wiring: penultimate states of both encoders concatenated; pooled output of encoder 2 + 6 time ids.
        assertThat(unet.crossAttentionDim()).containsOnly(one.hiddenSize() + two.hiddenSize());
        assertThat(unet.projectionClassEmbeddingsInputDim()).isEqualTo(two.projectionDim() + 6 * unet.additionTimeEmbedDim());
        assertThat(two.hasProjection()).isTrue();
        for (int c : unet.blockOutChannels()) assertThat(c % unet.normNumGroups()).isZero();
        assertThat(unet.sampleSize() * vae.downsampleFactor()).isEqualTo(vae.sampleSize());
        assertThat(vae.latentChannels()).isEqualTo(unet.inChannels());
        assertThat(scheduler.className()).isEqualTo(SchedulerConfig.EULER);
    }

    @Test
    void unknownTinyNameIsAUserError() {
        assertThatThrownBy(() -> TinyConfigs.load("tiny-gpt")).isInstanceOf(UserError.class)
                .hasMessageStartingWith("unknown tiny config \"tiny-gpt\"; expected one of tiny-llama, ");
    }
}
