package io.moslora.sdxl.model;

import io.moslora.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.moslora.config.AutoencoderKLConfig;
import io.moslora.nn.Conv2d;
import io.moslora.nn.Module;

/**
 * diffusers' {@code AutoencoderKL}: {@code encoder} + 1×1 {@code quant_conv} give the latent distribution of an
 * image in [−1, 1]; 1×1 {@code post_quant_conv} + {@code decoder} map latents back. The UNet works on
 * {@code (latent − shift)·scaling_factor}; {@link #toUNetSpace} and {@link #fromUNetSpace} apply that.
 */
public final class AutoencoderKL extends Module {
    private final AutoencoderKLConfig config;

    public AutoencoderKL(AutoencoderKLConfig c) {
        this.config = c;
        addChild("encoder", new VaeEncoder(c));
        addChild("decoder", new VaeDecoder(c));
        long z = c.latentChannels();
        if (c.useQuantConv()) {
            addChild("quant_conv", new Conv2d(2 * z, 2 * z, 1, 1, 0, true));
        }
        if (c.usePostQuantConv()) {
            addChild("post_quant_conv", new Conv2d(z, z, 1, 1, 0, true));
        }
    }

    public AutoencoderKLConfig config() {
        return config;
    }

    /** image [B, 3, H, W] in [−1, 1] → the latent distribution [B, latent, H/f, W/f]. */
    public LatentDistribution encode(NDArray image) {
        NDArray moments = ((VaeEncoder) child("encoder")).forward(image);
        if (config.useQuantConv()) {
            moments = layer("quant_conv").forward(moments);
        }
        NDList halves = moments.split(2, 1);
        return new LatentDistribution(halves.get(0), halves.get(1).clip(-30.0, 20.0));
    }

    /** latents (VAE space, not scaled) → image [B, 3, H·f, W·f], roughly in [−1, 1]. */
    public NDArray decode(NDArray latents) {
        NDArray z = config.usePostQuantConv() ? layer("post_quant_conv").forward(latents) : latents;
        return ((VaeDecoder) child("decoder")).forward(z);
    }

    public NDArray toUNetSpace(NDArray latents) {
        double shift = config.shiftFactor() == null ? 0 : config.shiftFactor();
        return Scalars.mul(shift == 0 ? latents : latents.sub(shift), config.scalingFactor());
    }

    public NDArray fromUNetSpace(NDArray scaled) {
        double shift = config.shiftFactor() == null ? 0 : config.shiftFactor();
        NDArray z = Scalars.div(scaled, config.scalingFactor());
        return shift == 0 ? z : z.add(shift);
    }
}
