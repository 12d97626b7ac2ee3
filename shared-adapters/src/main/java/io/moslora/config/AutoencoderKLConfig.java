package io.moslora.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * diffusers' {@code AutoencoderKL} config ({@code _class_name: AutoencoderKL}, a {@code vae/config.json}) with the
 * defaults of its {@code __init__}. Latents are {@code (z - shiftFactor) * scalingFactor} on the way into the UNet
 * (shift 0 when null); the default scaling factor 0.18215 is Stable Diffusion 1.x's, SDXL's file says 0.13025.
 *
 * @param forceUpcast whether the VAE must run in float32 even in a float16 pipeline (SDXL's VAE overflows in fp16)
 */
public record AutoencoderKLConfig(
        int inChannels,
        int outChannels,
        List<String> downBlockTypes,
        List<String> upBlockTypes,
        List<Integer> blockOutChannels,
        int layersPerBlock,
        String actFn,
        int latentChannels,
        int normNumGroups,
        int sampleSize,
        double scalingFactor,
        Double shiftFactor,
        List<Double> latentsMean,
        List<Double> latentsStd,
        boolean forceUpcast,
        boolean useQuantConv,
        boolean usePostQuantConv,
        boolean midBlockAddAttention,
        Map<String, JsonNode> extra) implements HfConfig {

    public static final String CLASS_NAME = "AutoencoderKL";

    public static AutoencoderKLConfig fromJson(JsonNode json, Path source) {
        ConfigFields f = ConfigFields.top(json, source);
        f.ignore("_class_name");
        f.ignore("_diffusers_version");
        f.ignore("_name_or_path");
        List<String> down = f.strings("down_block_types", List.of("DownEncoderBlock2D"));
        List<String> up = f.strings("up_block_types", List.of("UpDecoderBlock2D"));
        List<Integer> channels = f.integers("block_out_channels", List.of(64));
        if (channels.size() != down.size()) {
            throw f.error("block_out_channels", "has " + channels.size() + " entries but down_block_types has " + down.size());
        }
        if (up.size() != down.size()) {
            throw f.error("up_block_types", "has " + up.size() + " entries but down_block_types has " + down.size());
        }
        int groups = f.integer("norm_num_groups", 32);
        for (int c : channels) {
            if (groups <= 0 || c % groups != 0) {
                throw f.error("norm_num_groups", groups + " does not divide block_out_channels entry " + c);
            }
        }
        return new AutoencoderKLConfig(
                f.integer("in_channels", 3),
                f.integer("out_channels", 3),
                down,
                up,
                channels,
                f.integer("layers_per_block", 1),
                f.string("act_fn", "silu"),
                f.integer("latent_channels", 4),
                groups,
                f.integer("sample_size", 32),
                f.real("scaling_factor", 0.18215),
                f.optionalReal("shift_factor", null),
                f.optionalReals("latents_mean"),
                f.optionalReals("latents_std"),
                f.bool("force_upcast", true),
                f.bool("use_quant_conv", true),
                f.bool("use_post_quant_conv", true),
                f.bool("mid_block_add_attention", true),
                f.extra());
    }

    @Override
    public String kind() {
        return CLASS_NAME;
    }

    /** How many times the encoder halves the image: one per down block but the last (SDXL: 8× smaller latents). */
    public int downsampleFactor() {
        return 1 << (blockOutChannels.size() - 1);
    }
}
