package io.moslora.sdxl.scheduler;

import java.util.Locale;

/**
 * How a sampler picks its inference timesteps out of the N training timesteps (diffusers'
 * {@code timestep_spacing}; see Lin et al. 2023, "Common Diffusion Noise Schedules and Sample Steps are Flawed").
 * All results run from high noise to low noise.
 */
public enum TimestepSpacing {
    /** Evenly from 0 to N−1 inclusive. */
    LINSPACE("linspace"),
    /** Multiples of N / steps (integer division) from 0, plus steps_offset: SDXL's (offset 1: 981, 961, ..., 1). */
    LEADING("leading"),
    /** Counting down from N in strides of N / steps (real division), minus one: always starts at N−1. */
    TRAILING("trailing");

    private final String configName;

    TimestepSpacing(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** The timestep_spacing of a scheduler config; a clear error naming the field if this project does not know it. */
    public static TimestepSpacing of(io.moslora.config.SchedulerConfig config) {
        TimestepSpacing v = fromConfigName(config.timestepSpacing());
        if (v == null) {
            throw new io.moslora.cli.UserError("scheduler_config.json: field timestep_spacing \"" + config.timestepSpacing()
                    + "\" is not one of linspace, leading, trailing");
        }
        return v;
    }

    /** The spacing named as in a diffusers config; null if unknown. */
    public static TimestepSpacing fromConfigName(String name) {
        for (TimestepSpacing s : values()) {
            if (s.configName.equals(name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        return null;
    }

    /**
     * The {@code count} timesteps, descending, as diffusers' Euler and DDIM schedulers lay them out. LINSPACE
     * values are fractional (Euler interpolates its sigmas there; DDIM rounds them); numpy's round is
     * half-to-even, like {@link Math#rint}.
     */
    double[] timesteps(int numTrainTimesteps, int count, int stepsOffset) {
        double[] t = new double[count];
        for (int i = 0; i < count; i++) {
            int k = count - 1 - i; // position in the ascending list
            t[i] = switch (this) {
                case LINSPACE -> count == 1 ? 0
                        : k == count - 1 ? numTrainTimesteps - 1 : k * ((numTrainTimesteps - 1.0) / (count - 1));
                case LEADING -> (double) k * (numTrainTimesteps / count) + stepsOffset;
                case TRAILING -> Math.rint(numTrainTimesteps - i * ((double) numTrainTimesteps / count)) - 1;
            };
        }
        return t;
    }
}
