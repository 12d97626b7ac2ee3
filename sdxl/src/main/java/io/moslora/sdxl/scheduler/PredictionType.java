package io.moslora.sdxl.scheduler;

import java.util.Locale;

/** What the denoiser predicts (diffusers' {@code prediction_type}). */
public enum PredictionType {
    /** The added noise ε (SDXL base). */
    EPSILON("epsilon"),
    /** The velocity v = √ᾱ·ε − √(1−ᾱ)·x₀ (Salimans &amp; Ho). */
    V_PREDICTION("v_prediction");

    private final String configName;

    PredictionType(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** The prediction_type of a scheduler config; a clear error naming the field if this project does not know it. */
    public static PredictionType of(io.moslora.config.SchedulerConfig config) {
        PredictionType v = fromConfigName(config.predictionType());
        if (v == null) {
            throw new io.moslora.cli.UserError("scheduler_config.json: field prediction_type \"" + config.predictionType()
                    + "\" is not one of epsilon, v_prediction");
        }
        return v;
    }

    /** The type named as in a diffusers config; null if unknown. */
    public static PredictionType fromConfigName(String name) {
        for (PredictionType p : values()) {
            if (p.configName.equals(name.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        return null;
    }
}
