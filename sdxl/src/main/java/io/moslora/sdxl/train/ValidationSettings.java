package io.moslora.sdxl.train;

import io.moslora.cli.UserError;
import io.moslora.sdxl.generate.GenerationSettings;

/**
 * Validation images during DreamBooth, as diffusers' {@code --validation_prompt}: {@code numImages} images of the
 * prompt with the adapter as it is after every {@code every} steps (0: only after the last step) and after the
 * last step. As diffusers' script: DPM-Solver++ 2M ({@code DPMSolverMultistepScheduler}) in 25 steps, guidance 5,
 * at the training resolution, the same seeds (run seed + k) every time so the images are comparable across steps.
 */
public record ValidationSettings(String prompt, int every, int numImages, int samplingSteps) {
    public static final int DEFAULT_NUM_IMAGES = 4;
    public static final int DEFAULT_SAMPLING_STEPS = 25;
    static final String SCHEDULER = "dpmpp";
    static final double GUIDANCE = 5.0;

    public ValidationSettings {
        if (prompt == null || prompt.isBlank()) throw new UserError("--validation-prompt must not be empty");
        if (every < 0) throw new UserError("--validation-every must be ≥ 0 (0: at the end only), got " + every);
        if (numImages <= 0) throw new UserError("--num-validation-images must be positive, got " + numImages);
        if (samplingSteps <= 0) throw new UserError("--validation-steps must be positive, got " + samplingSteps);
    }

    /** Whether the images are due once {@code stepsDone} of {@code totalSteps} steps have run. */
    public boolean dueAfter(long stepsDone, long totalSteps) {
        return stepsDone == totalSteps || (every > 0 && stepsDone % every == 0);
    }

    /** How image {@code k} is made. */
    GenerationSettings image(int k, int resolution, long runSeed) {
        return new GenerationSettings(samplingSteps, GUIDANCE, SCHEDULER, resolution, resolution, runSeed + k, "");
    }
}
