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
