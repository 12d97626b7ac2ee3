package io.moslora.sdxl.scheduler;

import io.moslora.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.IntConsumer;

/**
 * The denoising loop every sampler shares: scale the initial noise, then per step scale the input, ask the model,
 * step. Each step's temporaries live in their own sub-manager that is closed at the end of the step, so memory
 * stays flat however many steps run (only the current latents survive).
 */
public final class SamplingLoop {
    private SamplingLoop() {}

    /**
     * Latents after all steps of {@code run}, starting from unit Gaussian {@code noise}. The result belongs to
     * {@code noise}'s manager; {@code noise} itself is left alone. The model's predictions are closed after use.
     * {@code afterStep} is told each finished step index (for a progress bar).
     */
    public static NDArray sample(SamplingRun run, NDArray noise, Denoiser model, IntConsumer afterStep) {
        NDManager owner = noise.getManager();
        NDArray latents = Scalars.mul(noise, run.initNoiseSigma());
        for (int i = 0; i < run.steps(); i++) {
            double t = run.timesteps()[i];
            NDArray next;
            try (NDManager step = owner.newSubManager()) {
                latents.attach(step); // the previous latents die with this step
                NDArray prediction = model.predict(run.scaleModelInput(latents, i), t);
                prediction.attach(step); // the loop owns the prediction, whichever manager made it
                next = run.step(prediction, i, latents);
                next.attach(owner);
            }
            latents = next;
            afterStep.accept(i);
        }
        return latents;
    }

    /** {@link #sample} without progress reporting. */
    public static NDArray sample(SamplingRun run, NDArray noise, Denoiser model) {
        return sample(run, noise, model, i -> {});
    }
}
