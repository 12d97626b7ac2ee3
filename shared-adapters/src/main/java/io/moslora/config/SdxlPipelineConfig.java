package io.moslora.config;

import io.moslora.cli.UserError;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The component configs of an SDXL diffusers folder ({@code unet/}, {@code vae/}, {@code text_encoder/},
 * {@code text_encoder_2/}, {@code scheduler/}), checked to fit together the way the pipeline wires them:
 * the UNet's cross-attention width is the two text encoders' hidden widths side by side, its added-condition
 * input is encoder 2's pooled projection plus 6 micro-conditioning time ids, and it denoises the VAE's latents.
 */
public record SdxlPipelineConfig(
        UNet2DConditionConfig unet,
        AutoencoderKLConfig vae,
        ClipTextConfig textEncoder,
        ClipTextConfig textEncoder2,
        SchedulerConfig scheduler) {

    /** SDXL's micro-conditioning: original size, crop top-left, target size, two numbers each. */
    public static final int TIME_IDS = 6;

    public static SdxlPipelineConfig load(Path dir) {
        SdxlPipelineConfig c = new SdxlPipelineConfig(
                HfConfigs.load(component(dir, "unet", "config.json"), UNet2DConditionConfig.class),
                HfConfigs.load(component(dir, "vae", "config.json"), AutoencoderKLConfig.class),
                HfConfigs.load(component(dir, "text_encoder", "config.json"), ClipTextConfig.class),
                HfConfigs.load(component(dir, "text_encoder_2", "config.json"), ClipTextConfig.class),
                HfConfigs.load(component(dir, "scheduler", "scheduler_config.json"), SchedulerConfig.class));
        c.check(dir);
        return c;
    }

    /** The embedded tiny SDXL (see {@link TinyConfigs}). */
    public static SdxlPipelineConfig tiny() {
        SdxlPipelineConfig c = new SdxlPipelineConfig(
                TinyConfigs.load("tiny-unet", UNet2DConditionConfig.class),
                TinyConfigs.load("tiny-vae", AutoencoderKLConfig.class),
                TinyConfigs.load("tiny-clip-text", ClipTextConfig.class),
                TinyConfigs.load("tiny-clip-text-2", ClipTextConfig.class),
                TinyConfigs.load("tiny-scheduler", SchedulerConfig.class));
        c.check(Path.of("tiny"));
        return c;
    }

    /** Writes the five configs into {@code dir} in the diffusers folder layout. */
    public void write(Path dir) {
        HfConfigJson.write(unet, dir.resolve("unet/config.json"));
        HfConfigJson.write(vae, dir.resolve("vae/config.json"));
        HfConfigJson.write(textEncoder, dir.resolve("text_encoder/config.json"));
        HfConfigJson.write(textEncoder2, dir.resolve("text_encoder_2/config.json"));
        HfConfigJson.write(scheduler, dir.resolve("scheduler/scheduler_config.json"));
    }

    private static Path component(Path dir, String sub, String name) {
        Path file = dir.resolve(sub).resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new UserError(file + ": no such file; an SDXL diffusers folder has unet/, vae/, text_encoder/, "
                    + "text_encoder_2/ and scheduler/");
        }
        return file;
    }

    private void check(Path dir) {
        int text = textEncoder.hiddenSize() + textEncoder2.hiddenSize();
        for (int width : unet.crossAttentionDim()) {
            if (width != text) {
                throw new UserError(dir.resolve("unet/config.json") + ": field cross_attention_dim: " + width
                        + " does not match the text encoders' hidden sizes " + textEncoder.hiddenSize() + " + "
                        + textEncoder2.hiddenSize());
            }
        }
        if (!"text_time".equals(unet.additionEmbedType())) {
            throw new UserError(dir.resolve("unet/config.json") + ": field addition_embed_type: SDXL needs \"text_time\", got "
                    + (unet.additionEmbedType() == null ? "null" : "\"" + unet.additionEmbedType() + "\""));
        }
        int added = textEncoder2.projectionDim() + TIME_IDS * unet.additionTimeEmbedDim();
        if (unet.projectionClassEmbeddingsInputDim() != added) {
            throw new UserError(dir.resolve("unet/config.json") + ": field projection_class_embeddings_input_dim: "
                    + unet.projectionClassEmbeddingsInputDim() + " does not match text_encoder_2's projection_dim "
                    + textEncoder2.projectionDim() + " + 6 time ids x addition_time_embed_dim " + unet.additionTimeEmbedDim());
        }
        if (vae.latentChannels() != unet.inChannels()) {
            throw new UserError(dir.resolve("unet/config.json") + ": field in_channels: " + unet.inChannels()
                    + " does not match the VAE's latent_channels " + vae.latentChannels());
        }
    }
}
