package io.moslora.sdxl.model;

import io.moslora.engine.Scalars;
import ai.djl.ndarray.NDArray;

/**
 * The VAE encoder's diagonal Gaussian over latents (diffusers' {@code DiagonalGaussianDistribution}): mean and
 * log-variance, the latter clamped to [−30, 20] as diffusers does.
 */
public record LatentDistribution(NDArray mean, NDArray logvar) {
    public NDArray std() {
        return Scalars.mul(logvar, 0.5).exp();
    }

    /** mean + std·ε with ε ~ N(0, 1) from the engine's (seeded) generator. */
    public NDArray sample() {
        NDArray eps = mean.getManager().randomNormal(mean.getShape(), mean.getDataType());
        return mean.add(std().mul(eps));
    }

    /** The distribution's mode (its mean): the deterministic latent. */
    public NDArray mode() {
        return mean;
    }
}
