package io.moslora.sdxl.scheduler;

import ai.djl.ndarray.NDArray;

/**
 * One denoising loop: for i = 0..steps−1, feed {@link #scaleModelInput} and {@code timesteps()[i]} to the model,
 * then {@link #step} its output to get the next latents. Start from Gaussian noise times
 * {@link #initNoiseSigma()}. Steps must be taken in order. Close it to free what a multistep solver keeps.
 */
public interface SamplingRun extends AutoCloseable {
    /** The timestep (model input) of each step, from high noise to low. */
    double[] timesteps();

    default int steps() {
        return timesteps().length;
    }

    /** Standard deviation of the initial noise. */
    double initNoiseSigma();

    /** The latents as the model should see them at step {@code i} (identity for variance-preserving samplers). */
    NDArray scaleModelInput(NDArray sample, int i);

    /** Latents after step {@code i}, given the model's output for {@code sample} at that step. */
    NDArray step(NDArray modelOutput, int i, NDArray sample);

    @Override
    default void close() {}
}
