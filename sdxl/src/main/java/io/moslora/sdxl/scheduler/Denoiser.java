package io.moslora.sdxl.scheduler;

import ai.djl.ndarray.NDArray;

/**
 * What a sampler needs from a model: its prediction (ε or v, as the scheduler config says) for latents already
 * scaled by {@link SamplingRun#scaleModelInput} at one timestep. A UNet with its prompt embeddings and
 * classifier-free guidance folded in is one; tests use closed-form toy denoisers.
 */
@FunctionalInterface
public interface Denoiser {
    NDArray predict(NDArray modelInput, double timestep);
}
