package io.moslora.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moslora.cli.UserError;
import org.junit.jupiter.api.Test;

class DiffusersConfigTest {

    @Test
    void emptyUnetConfigTakesDiffusersDefaults() {
        UNet2DConditionConfig c = (UNet2DConditionConfig) Fixtures.parse("{\"_class_name\": \"UNet2DConditionModel\"}");
        assertThat(c.sampleSize()).isNull();
        assertThat(c.inChannels()).isEqualTo(4);
        assertThat(c.outChannels()).isEqualTo(4);
        assertThat(c.centerInputSample()).isFalse();
        assertThat(c.flipSinToCos()).isTrue();
        assertThat(c.freqShift()).isEqualTo(0);
        assertThat(c.downBlockTypes()).containsExactly("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D");
        assertThat(c.midBlockType()).isEqualTo("UNetMidBlock2DCrossAttn");
        assertThat(c.upBlockTypes()).containsExactly("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D");
        assertThat(c.onlyCrossAttention()).containsExactly(false, false, false, false);
        assertThat(c.midBlockOnlyCrossAttention()).isFalse();
        assertThat(c.blockOutChannels()).containsExactly(320, 640, 1280, 1280);
        assertThat(c.layersPerBlock()).containsExactly(2, 2, 2, 2);
        assertThat(c.downsamplePadding()).isEqualTo(1);
        assertThat(c.midBlockScaleFactor()).isEqualTo(1.0);
        assertThat(c.dropout()).isEqualTo(0.0);
        assertThat(c.actFn()).isEqualTo("silu");
        assertThat(c.normNumGroups()).isEqualTo(32);
        assertThat(c.normEps()).isEqualTo(1e-5);
        assertThat(c.crossAttentionDim()).containsExactly(1280, 1280, 1280, 1280);
        assertThat(c.transformerLayersPerBlock()).containsExactly(1, 1, 1, 1);
        assertThat(c.encoderHidDim()).isNull();
        assertThat(c.encoderHidDimType()).isNull();
        assertThat(c.attentionHeadDim()).containsExactly(8, 8, 8, 8);
        assertThat(c.headsPerBlock()).containsExactly(8, 8, 8, 8);
        assertThat(c.headDim(0)).isEqualTo(40);
        assertThat(c.dualCrossAttention()).isFalse();
        assertThat(c.useLinearProjection()).isFalse();
        assertThat(c.classEmbedType()).isNull();
        assertThat(c.additionEmbedType()).isNull();
        assertThat(c.additionTimeEmbedDim()).isNull();
        assertThat(c.numClassEmbeds()).isNull();
        assertThat(c.upcastAttention()).isFalse();
        assertThat(c.resnetTimeScaleShift()).isEqualTo("default");
        assertThat(c.resnetSkipTimeAct()).isFalse();
        assertThat(c.resnetOutScaleFactor()).isEqualTo(1.0);
        assertThat(c.timeEmbeddingType()).isEqualTo("positional");
        assertThat(c.timeEmbeddingDim()).isNull();
        assertThat(c.timeEmbedDim()).isEqualTo(1280);
        assertThat(c.timestepInputDim()).isEqualTo(320);
        assertThat(c.timeEmbeddingActFn()).isNull();
        assertThat(c.timestepPostAct()).isNull();
        assertThat(c.timeCondProjDim()).isNull();
        assertThat(c.convInKernel()).isEqualTo(3);
        assertThat(c.convOutKernel()).isEqualTo(3);
        assertThat(c.projectionClassEmbeddingsInputDim()).isNull();
        assertThat(c.attentionType()).isEqualTo("default");
        assertThat(c.classEmbeddingsConcat()).isFalse();
        assertThat(c.crossAttentionNorm()).isNull();
        assertThat(c.additionEmbedTypeNumHeads()).isEqualTo(64);
        assertThat(c.extra()).isEmpty();
    }

    @Test
    void sdxlUnet() {
        UNet2DConditionConfig c = HfConfigs.load(Fixtures.config("sdxl-base-1.0/unet/config.json"), UNet2DConditionConfig.class);
        assertThat(c.sampleSize()).isEqualTo(128);
        assertThat(c.blockOutChannels()).containsExactly(320, 640, 1280);
        assertThat(c.downBlockTypes()).containsExactly("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D");
        assertThat(c.upBlockTypes()).containsExactly("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D");
        assertThat(c.layersPerBlock()).containsExactly(2, 2, 2);
        assertThat(c.transformerLayersPerBlock()).containsExactly(1, 2, 10);
        assertThat(c.headsPerBlock()).containsExactly(5, 10, 20);
        assertThat(c.headDim(0)).isEqualTo(64);
        assertThat(c.headDim(1)).isEqualTo(64);
        assertThat(c.headDim(2)).isEqualTo(64);
        assertThat(c.crossAttentionDim()).containsExactly(2048, 2048, 2048);
        assertThat(c.additionEmbedType()).isEqualTo("text_time");
        assertThat(c.additionTimeEmbedDim()).isEqualTo(256);
        assertThat(c.projectionClassEmbeddingsInputDim()).isEqualTo(2816); // 1280 pooled + 6 time ids x 256
        assertThat(c.useLinearProjection()).isTrue();
        assertThat(c.normNumGroups()).isEqualTo(32);
        assertThat(c.upcastAttention()).isFalse();
        assertThat(c.midBlockOnlyCrossAttention()).isFalse();
        assertThat(c.timeEmbedDim()).isEqualTo(1280);
        assertThat(c.extra()).isEmpty();
    }

    @Test
    void vaeDefaultsAndSdxlVae() {
        AutoencoderKLConfig d = (AutoencoderKLConfig) Fixtures.parse("{\"_class_name\": \"AutoencoderKL\"}");
        assertThat(d.inChannels()).isEqualTo(3);
        assertThat(d.outChannels()).isEqualTo(3);
        assertThat(d.downBlockTypes()).containsExactly("DownEncoderBlock2D");
        assertThat(d.upBlockTypes()).containsExactly("UpDecoderBlock2D");
        assertThat(d.blockOutChannels()).containsExactly(64);
        assertThat(d.layersPerBlock()).isEqualTo(1);
        assertThat(d.actFn()).isEqualTo("silu");
        assertThat(d.latentChannels()).isEqualTo(4);
        assertThat(d.normNumGroups()).isEqualTo(32);
        assertThat(d.sampleSize()).isEqualTo(32);
        assertThat(d.scalingFactor()).isEqualTo(0.18215);
        assertThat(d.shiftFactor()).isNull();
        assertThat(d.latentsMean()).isNull();
        assertThat(d.latentsStd()).isNull();
        assertThat(d.forceUpcast()).isTrue();
        assertThat(d.useQuantConv()).isTrue();
        assertThat(d.usePostQuantConv()).isTrue();
        assertThat(d.midBlockAddAttention()).isTrue();
        assertThat(d.downsampleFactor()).isEqualTo(1);

        AutoencoderKLConfig x = HfConfigs.load(Fixtures.config("sdxl-base-1.0/vae/config.json"), AutoencoderKLConfig.class);
        assertThat(x.blockOutChannels()).containsExactly(128, 256, 512, 512);
        assertThat(x.layersPerBlock()).isEqualTo(2);
        assertThat(x.sampleSize()).isEqualTo(1024);
        assertThat(x.scalingFactor()).isEqualTo(0.13025);
        assertThat(x.forceUpcast()).isTrue();
        assertThat(x.shiftFactor()).isNull();
        assertThat(x.downsampleFactor()).isEqualTo(8);
        assertThat(x.extra()).isEmpty();
    }

    @Test
    void sdxlSchedulerAndItsReadingAsDdpm() {
        SchedulerConfig s = HfConfigs.load(Fixtures.config("sdxl-base-1.0/scheduler/scheduler_config.json"), SchedulerConfig.class);
        assertThat(s.className()).isEqualTo("EulerDiscreteScheduler");
        assertThat(s.numTrainTimesteps()).isEqualTo(1000);
        assertThat(s.betaStart()).isEqualTo(0.00085);
        assertThat(s.betaEnd()).isEqualTo(0.012);
        assertThat(s.betaSchedule()).isEqualTo("scaled_linear");
        assertThat(s.trainedBetas()).isNull();
        assertThat(s.predictionType()).isEqualTo("epsilon");
        assertThat(s.timestepSpacing()).isEqualTo("leading");
        assertThat(s.stepsOffset()).isEqualTo(1);
        assertThat(s.interpolationType()).isEqualTo("linear");
        assertThat(s.useKarrasSigmas()).isFalse();
        assertThat(s.timestepType()).isEqualTo("discrete");
        assertThat(s.finalSigmasType()).isEqualTo("zero");
        assertThat(s.clipSample()).isFalse();
        assertThat(s.setAlphaToOne()).isFalse();
        assertThat(s.sigmaMin()).isNull();
        assertThat(s.varianceType()).isNull();
        assertThat(s.extra()).containsOnlyKeys("skip_prk_steps");

        SchedulerConfig ddpm = s.as(SchedulerConfig.DDPM);
        assertThat(ddpm.className()).isEqualTo("DDPMScheduler");
        assertThat(ddpm.betaSchedule()).isEqualTo("scaled_linear");
        assertThat(ddpm.timestepSpacing()).isEqualTo("leading");
        assertThat(ddpm.stepsOffset()).isEqualTo(1);
        assertThat(ddpm.clipSample()).isFalse(); // the file's value, not DDPM's default true
        assertThat(ddpm.varianceType()).isEqualTo("fixed_small");
        assertThat(ddpm.thresholding()).isFalse();
        assertThat(ddpm.clipSampleRange()).isEqualTo(1.0);
    }

    @Test
    void eachSchedulerClassHasItsOwnDefaults() {
        SchedulerConfig euler = (SchedulerConfig) Fixtures.parse("{\"_class_name\": \"EulerDiscreteScheduler\"}");
        assertThat(euler.numTrainTimesteps()).isEqualTo(1000);
        assertThat(euler.betaStart()).isEqualTo(0.0001);
        assertThat(euler.betaEnd()).isEqualTo(0.02);
        assertThat(euler.betaSchedule()).isEqualTo("linear");
        assertThat(euler.predictionType()).isEqualTo("epsilon");
        assertThat(euler.timestepSpacing()).isEqualTo("linspace");
        assertThat(euler.stepsOffset()).isEqualTo(0);
        assertThat(euler.rescaleBetasZeroSnr()).isFalse();
        assertThat(euler.interpolationType()).isEqualTo("linear");
        assertThat(euler.useKarrasSigmas()).isFalse();
        assertThat(euler.clipSample()).isNull();

        SchedulerConfig ddpm = (SchedulerConfig) Fixtures.parse("{\"_class_name\": \"DDPMScheduler\"}");
        assertThat(ddpm.timestepSpacing()).isEqualTo("leading");
        assertThat(ddpm.clipSample()).isTrue();
        assertThat(ddpm.varianceType()).isEqualTo("fixed_small");
        assertThat(ddpm.dynamicThresholdingRatio()).isEqualTo(0.995);
        assertThat(ddpm.sampleMaxValue()).isEqualTo(1.0);
        assertThat(ddpm.setAlphaToOne()).isNull();

        SchedulerConfig ddim = (SchedulerConfig) Fixtures.parse("{\"_class_name\": \"DDIMScheduler\"}");
        assertThat(ddim.timestepSpacing()).isEqualTo("leading");
        assertThat(ddim.clipSample()).isTrue();
        assertThat(ddim.setAlphaToOne()).isTrue();
        assertThat(ddim.varianceType()).isNull();

        SchedulerConfig dpm = (SchedulerConfig) Fixtures.parse("{\"_class_name\": \"DPMSolverMultistepScheduler\"}");
        assertThat(dpm.timestepSpacing()).isEqualTo("linspace");
        assertThat(dpm.solverOrder()).isEqualTo(2);
        assertThat(dpm.algorithmType()).isEqualTo("dpmsolver++");
        assertThat(dpm.solverType()).isEqualTo("midpoint");
        assertThat(dpm.lowerOrderFinal()).isTrue();
        assertThat(dpm.useKarrasSigmas()).isFalse();
        assertThat(dpm.finalSigmasType()).isEqualTo("zero");

        SchedulerConfig ancestral = (SchedulerConfig) Fixtures.parse("{\"_class_name\": \"EulerAncestralDiscreteScheduler\"}");
        assertThat(ancestral.timestepSpacing()).isEqualTo("linspace");
        assertThat(ancestral.interpolationType()).isNull();
    }

    @Test
    void unetRulesFromDiffusersCheckConfig() {
        assertThatThrownBy(() -> Fixtures.parse("{\"_class_name\": \"UNet2DConditionModel\", \"num_attention_heads\": 8}"))
                .isInstanceOf(UserError.class)
                .hasMessage("config.json: field num_attention_heads: UNet2DConditionModel does not accept it; "
                        + "give the number of heads per block in attention_head_dim");
        assertThatThrownBy(() -> Fixtures.parse("{\"_class_name\": \"UNet2DConditionModel\", \"attention_head_dim\": [5, 10]}"))
                .hasMessage("config.json: field attention_head_dim: has 2 entries but down_block_types has 4");
        assertThatThrownBy(() -> Fixtures.parse(
                "{\"_class_name\": \"UNet2DConditionModel\", \"up_block_types\": [\"UpBlock2D\"]}"))
                .hasMessage("config.json: field up_block_types: has 1 entries but down_block_types has 4");
        assertThatThrownBy(() -> Fixtures.parse("{\"_class_name\": \"UNet2DConditionModel\", \"norm_num_groups\": 48}"))
                .hasMessage("config.json: field norm_num_groups: 48 does not divide block_out_channels entry 320");
        assertThatThrownBy(() -> Fixtures.parse("{\"_class_name\": \"UNet2DConditionModel\", \"addition_embed_type\": \"text_time\"}"))
                .hasMessage("config.json: field addition_time_embed_dim: required when addition_embed_type is \"text_time\"");
        assertThatThrownBy(() -> Fixtures.parse(
                "{\"_class_name\": \"UNet2DConditionModel\", \"transformer_layers_per_block\": [[1], [2], [3], [4]]}"))
                .hasMessage("config.json: field transformer_layers_per_block: nested lists (asymmetric UNets) are not supported");
        assertThatThrownBy(() -> Fixtures.parse("{\"_class_name\": \"FluxTransformer2DModel\"}"))
                .hasMessage("config.json: field _class_name: unsupported \"FluxTransformer2DModel\"; "
                        + "expected UNet2DConditionModel, AutoencoderKL or a scheduler");
        assertThatThrownBy(() -> Fixtures.parse("{\"_class_name\": \"PNDMScheduler\"}"))
                .hasMessageStartingWith("config.json: field _class_name: unsupported scheduler \"PNDMScheduler\"; expected one of ");
    }

    @Test
    void onlyCrossAttentionAsListDoesNotReachTheMidBlock() {
        UNet2DConditionConfig c = (UNet2DConditionConfig) Fixtures.parse(
                "{\"_class_name\": \"UNet2DConditionModel\", \"only_cross_attention\": [true, true, false, false]}");
        assertThat(c.onlyCrossAttention()).containsExactly(true, true, false, false);
        assertThat(c.midBlockOnlyCrossAttention()).isFalse();
        UNet2DConditionConfig one = (UNet2DConditionConfig) Fixtures.parse(
                "{\"_class_name\": \"UNet2DConditionModel\", \"only_cross_attention\": true}");
        assertThat(one.onlyCrossAttention()).containsExactly(true, true, true, true);
        assertThat(one.midBlockOnlyCrossAttention()).isTrue();
    }

    @Test
    void headWidthIsRoundedDownAsDiffusersDoes() {
        UNet2DConditionConfig c = (UNet2DConditionConfig) Fixtures.parse(
                "{\"_class_name\": \"UNet2DConditionModel\", \"attention_head_dim\": [7, 8, 8, 8]}");
        assertThat(c.headDim(0)).isEqualTo(45); // 320 / 7
        assertThat(c.headDim(1)).isEqualTo(80);
    }
}
