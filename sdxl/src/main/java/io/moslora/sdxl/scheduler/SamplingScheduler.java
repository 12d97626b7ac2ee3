package io.moslora.sdxl.scheduler;

import io.moslora.config.SchedulerConfig;

/**
 * A sampler (diffusers' inference scheduler) as a small immutable object: it only knows the noise schedule and
 * its own rules. Each generation asks it for a fresh {@link SamplingRun}, which holds the per-run state that
 * multistep solvers need.
 */
public interface SamplingScheduler {
    /** A run of {@code numInferenceSteps} denoising steps. */
    SamplingRun start(int numInferenceSteps);

    /** The name a user picks it by ({@code euler}, {@code ddim}, {@code dpmpp}). */
    String name();

    /** The sampler a user names on the command line, over the given config. */
    static SamplingScheduler named(String name, SchedulerConfig config) {
        return switch (name) {
            case "euler" -> new EulerDiscreteScheduler(config);
            case "ddim" -> new DdimScheduler(config);
            case "dpmpp", "dpmpp-2m", "dpm++" -> new DpmSolverPlusPlus2MScheduler(config);
            default -> throw new io.moslora.cli.UserError("--scheduler " + name + ": use euler, ddim or dpmpp");
        };
    }
}
