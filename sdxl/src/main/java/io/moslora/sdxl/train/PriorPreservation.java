package io.moslora.sdxl.train;

import io.moslora.cli.UserError;
import java.nio.file.Path;

/**
 * DreamBooth's prior-preservation loss, as diffusers' {@code --with_prior_preservation}: images of the subject's
 * class (made by the base model when there are fewer than {@code numClassImages} in {@code classDir}) are trained
 * on next to the subject's photos with the class prompt, and their loss is added with weight {@code lossWeight},
 * so the adapter keeps what the class looks like while it learns the subject.
 *
 * @param samplingSteps Euler steps for each generated class image (diffusers: the pipeline's default, 50)
 */
public record PriorPreservation(Path classDir, String classPrompt, double lossWeight, int numClassImages,
        int samplingSteps) {

    /** diffusers' defaults: weight 1, 100 class images, class images made in 50 steps. */
    public static final double DEFAULT_WEIGHT = 1.0;
    public static final int DEFAULT_NUM_CLASS_IMAGES = 100;
    public static final int DEFAULT_SAMPLING_STEPS = 50;

    public PriorPreservation {
        if (classDir == null) throw new UserError("prior preservation needs --class-dir (a folder of class images, made if missing)");
        if (classPrompt == null || classPrompt.isBlank()) {
            throw new UserError("--class-dir " + classDir + " needs --class-prompt (e.g. \"a photo of a cat\")");
        }
        if (!(lossWeight >= 0) || Double.isInfinite(lossWeight)) {
            throw new UserError("--prior-loss-weight must be a finite number ≥ 0, got " + lossWeight);
        }
        if (numClassImages <= 0) throw new UserError("--num-class-images must be positive, got " + numClassImages);
        if (samplingSteps <= 0) throw new UserError("--class-sampling-steps must be positive, got " + samplingSteps);
    }

    public static PriorPreservation of(Path classDir, String classPrompt, double lossWeight, int numClassImages) {
        return new PriorPreservation(classDir, classPrompt, lossWeight, numClassImages, DEFAULT_SAMPLING_STEPS);
    }
}
