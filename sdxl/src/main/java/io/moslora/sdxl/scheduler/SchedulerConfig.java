package io.moslora.sdxl.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.cli.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fields of a diffusers {@code scheduler/scheduler_config.json} that the noise schedule and the samplers
 * use. One config serves every sampler, as diffusers' {@code from_config} lets any scheduler read another's.
 *
 * @param setAlphaToOne DDIM only: whether the step past timestep 0 lands on ᾱ = 1 (true) or on ᾱ₀ (false, SDXL)
 * @param clipSample DDIM only: clamp the predicted x₀ to ±{@code clipSampleRange} (off for latent models)
 */
public record SchedulerConfig(
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        BetaSchedule betaSchedule,
        PredictionType predictionType,
        TimestepSpacing timestepSpacing,
        int stepsOffset,
        boolean setAlphaToOne,
        boolean clipSample,
        double clipSampleRange) {

    public SchedulerConfig {
        if (numTrainTimesteps < 2) {
            throw new IllegalArgumentException("num_train_timesteps must be at least 2, got " + numTrainTimesteps);
        }
        if (!(betaStart > 0 && betaEnd < 1 && betaStart <= betaEnd)) {
            throw new IllegalArgumentException("need 0 < beta_start <= beta_end < 1, got " + betaStart + ", " + betaEnd);
        }
    }

    /** SDXL base 1.0's scheduler_config.json. */
    public static SchedulerConfig sdxl() {
        return new SchedulerConfig(1000, 0.00085, 0.012, BetaSchedule.SCALED_LINEAR, PredictionType.EPSILON,
                TimestepSpacing.LEADING, 1, false, false, 1.0);
    }

    public SchedulerConfig withPredictionType(PredictionType p) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, p, timestepSpacing,
                stepsOffset, setAlphaToOne, clipSample, clipSampleRange);
    }

    public SchedulerConfig withTimestepSpacing(TimestepSpacing s, int offset) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, predictionType, s,
                offset, setAlphaToOne, clipSample, clipSampleRange);
    }

    public SchedulerConfig withBetas(BetaSchedule schedule, double start, double end) {
        return new SchedulerConfig(numTrainTimesteps, start, end, schedule, predictionType, timestepSpacing,
                stepsOffset, setAlphaToOne, clipSample, clipSampleRange);
    }

    /**
     * Reads a diffusers scheduler config. Fields it omits take diffusers' class defaults (1000 steps, linear
     * 0.0001..0.02, epsilon, linspace, offset 0, set_alpha_to_one and clip_sample true, as DDIM has them).
     */
    public static SchedulerConfig read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UserError(file + ": cannot read scheduler config (" + e.getMessage().lines().findFirst().orElse("")
                    + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new UserError(file + ": expected a JSON object");
        }
        if (root.hasNonNull("trained_betas")) {
            throw new UserError(file + ": field trained_betas is not supported; remove it or use beta_schedule");
        }
        String beta = text(root, "beta_schedule", "linear");
        String prediction = text(root, "prediction_type", "epsilon");
        String spacing = text(root, "timestep_spacing", "linspace");
        BetaSchedule b = BetaSchedule.fromConfigName(beta);
        PredictionType p = PredictionType.fromConfigName(prediction);
        TimestepSpacing s = TimestepSpacing.fromConfigName(spacing);
        if (b == null) {
            throw new UserError(file + ": field beta_schedule \"" + beta + "\" is not one of linear, scaled_linear, "
                    + "squaredcos_cap_v2");
        }
        if (p == null) {
            throw new UserError(file + ": field prediction_type \"" + prediction + "\" is not epsilon or v_prediction");
        }
        if (s == null) {
            throw new UserError(file + ": field timestep_spacing \"" + spacing + "\" is not linspace, leading or trailing");
        }
        try {
            return new SchedulerConfig(intField(root, "num_train_timesteps", 1000, file),
                    number(root, "beta_start", 0.0001, file), number(root, "beta_end", 0.02, file), b, p, s,
                    intField(root, "steps_offset", 0, file), bool(root, "set_alpha_to_one", true),
                    bool(root, "clip_sample", true), number(root, "clip_sample_range", 1.0, file));
        } catch (IllegalArgumentException e) {
            throw new UserError(file + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode root, String field, String fallback) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? fallback : n.asText();
    }

    private static double number(JsonNode root, String field, double fallback, Path file) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw new UserError(file + ": field " + field + " must be a number, got " + n);
        }
        return n.asDouble();
    }

    private static int intField(JsonNode root, String field, int fallback, Path file) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            throw new UserError(file + ": field " + field + " must be an integer, got " + n);
        }
        return n.asInt();
    }

    private static boolean bool(JsonNode root, String field, boolean fallback) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? fallback : n.asBoolean();
    }
}
