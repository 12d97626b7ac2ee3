package io.moslora.sdxl.scheduler;

import java.util.Locale;

/** How the training noise levels β₀..β_{N−1} are laid out (diffusers' {@code beta_schedule}). */
public enum BetaSchedule {
    /** β linear from beta_start to beta_end. */
    LINEAR("linear"),
    /** √β linear from √beta_start to √beta_end, then squared: Stable Diffusion and SDXL. */
    SCALED_LINEAR("scaled_linear"),
    /** Nichol &amp; Dhariwal's cosine ᾱ(t), each β capped at 0.999; beta_start/beta_end are ignored. */
    SQUAREDCOS_CAP_V2("squaredcos_cap_v2");

    private final String configName;

    BetaSchedule(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** The beta_schedule of a scheduler config; a clear error naming the field if this project does not know it. */
    public static BetaSchedule of(io.moslora.config.SchedulerConfig config) {
        BetaSchedule v = fromConfigName(config.betaSchedule());
        if (v == null) {
            throw new io.moslora.cli.UserError("scheduler_config.json: field beta_schedule \"" + config.betaSchedule()
                    + "\" is not one of linear, scaled_linear, squaredcos_cap_v2");
        }
        return v;
    }

    /** The schedule named as in a diffusers {@code scheduler_config.json}; null if unknown. */
    public static BetaSchedule fromConfigName(String name) {
        for (BetaSchedule s : values()) {
            if (s.configName.equals(name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        return null;
    }

    /** β_i for i = 0..n−1, in double precision. */
    double[] betas(double betaStart, double betaEnd, int n) {
        double[] betas = new double[n];
        for (int i = 0; i < n; i++) {
            double f = n == 1 ? 0 : (double) i / (n - 1);
            switch (this) {
                case LINEAR -> betas[i] = betaStart + f * (betaEnd - betaStart);
                case SCALED_LINEAR -> {
                    double root = Math.sqrt(betaStart) + f * (Math.sqrt(betaEnd) - Math.sqrt(betaStart));
                    betas[i] = root * root;
                }
                case SQUAREDCOS_CAP_V2 -> betas[i] =
                        Math.min(1 - cosineAlphaBar((i + 1.0) / n) / cosineAlphaBar((double) i / n), 0.999);
            }
        }
        return betas;
    }

    /** ᾱ(t) = cos²((t + 0.008) / 1.008 · π/2) for t in [0, 1]. */
    static double cosineAlphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }
}
