package io.moslora.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A diffusers {@code scheduler/scheduler_config.json}, resolved with the defaults of the scheduler class it names
 * ({@code _class_name}). Each class has its own defaults (Euler and DPM-Solver space timesteps "linspace", DDPM
 * and DDIM "leading"), and options a class does not have are null unless the file sets them. Training loads the
 * same file as another class (DreamBooth reads SDXL's Euler config as DDPM): use {@link #as(String)}.
 *
 * <p>Boxed fields are null when the class has no such option and the file does not set it.
 */
public record SchedulerConfig(
        String className,
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        String betaSchedule,
        List<Double> trainedBetas,
        String predictionType,
        String timestepSpacing,
        int stepsOffset,
        boolean rescaleBetasZeroSnr,
        Boolean clipSample,
        Double clipSampleRange,
        Boolean setAlphaToOne,
        String varianceType,
        Boolean thresholding,
        Double dynamicThresholdingRatio,
        Double sampleMaxValue,
        String interpolationType,
        Boolean useKarrasSigmas,
        Double sigmaMin,
        Double sigmaMax,
        String timestepType,
        String finalSigmasType,
        Integer solverOrder,
        String algorithmType,
        String solverType,
        Boolean lowerOrderFinal,
        ObjectNode file,
        Map<String, JsonNode> extra) implements HfConfig {

    public static final String EULER = "EulerDiscreteScheduler";
    public static final String EULER_ANCESTRAL = "EulerAncestralDiscreteScheduler";
    public static final String DDPM = "DDPMScheduler";
    public static final String DDIM = "DDIMScheduler";
    public static final String DPM_SOLVER = "DPMSolverMultistepScheduler";

    /** Each supported class's own defaults, from its {@code __init__}; options it lacks are absent. */
    private static final Map<String, Map<String, Object>> DEFAULTS = Map.of(
            EULER, Map.of("timestep_spacing", "linspace", "interpolation_type", "linear",
                    "use_karras_sigmas", false, "timestep_type", "discrete", "final_sigmas_type", "zero"),
            EULER_ANCESTRAL, Map.of("timestep_spacing", "linspace"),
            DDPM, Map.of("timestep_spacing", "leading", "variance_type", "fixed_small", "clip_sample", true,
                    "clip_sample_range", 1.0, "thresholding", false, "dynamic_thresholding_ratio", 0.995,
                    "sample_max_value", 1.0),
            DDIM, Map.of("timestep_spacing", "leading", "clip_sample", true, "set_alpha_to_one", true,
                    "clip_sample_range", 1.0, "thresholding", false, "dynamic_thresholding_ratio", 0.995,
                    "sample_max_value", 1.0),
            DPM_SOLVER, Map.ofEntries(Map.entry("timestep_spacing", "linspace"), Map.entry("solver_order", 2),
                    Map.entry("algorithm_type", "dpmsolver++"), Map.entry("solver_type", "midpoint"),
                    Map.entry("lower_order_final", true), Map.entry("use_karras_sigmas", false),
                    Map.entry("final_sigmas_type", "zero"), Map.entry("thresholding", false),
                    Map.entry("dynamic_thresholding_ratio", 0.995), Map.entry("sample_max_value", 1.0)));

    public static SchedulerConfig fromJson(JsonNode json, Path source) {
        ConfigFields f = ConfigFields.top(json, source);
        f.ignore("_diffusers_version");
        String cls = f.string("_class_name", null);
        if (cls == null) throw f.error("_class_name", "missing; name the scheduler class, e.g. \"" + EULER + "\"");
        Map<String, Object> d = DEFAULTS.get(cls);
        if (d == null) {
            throw f.error("_class_name", "unsupported scheduler \"" + cls + "\"; expected one of "
                    + String.join(", ", List.of(EULER, EULER_ANCESTRAL, DDPM, DDIM, DPM_SOLVER)));
        }
        return new SchedulerConfig(
                cls,
                f.integer("num_train_timesteps", 1000),
                f.real("beta_start", 0.0001),
                f.real("beta_end", 0.02),
                f.string("beta_schedule", "linear"),
                f.optionalReals("trained_betas"),
                f.string("prediction_type", "epsilon"),
                f.string("timestep_spacing", (String) d.get("timestep_spacing")),
                f.integer("steps_offset", 0),
                f.bool("rescale_betas_zero_snr", false),
                f.optionalBool("clip_sample", (Boolean) d.get("clip_sample")),
                f.optionalReal("clip_sample_range", (Double) d.get("clip_sample_range")),
                f.optionalBool("set_alpha_to_one", (Boolean) d.get("set_alpha_to_one")),
                f.optionalString("variance_type", (String) d.get("variance_type")),
                f.optionalBool("thresholding", (Boolean) d.get("thresholding")),
                f.optionalReal("dynamic_thresholding_ratio", (Double) d.get("dynamic_thresholding_ratio")),
                f.optionalReal("sample_max_value", (Double) d.get("sample_max_value")),
                f.optionalString("interpolation_type", (String) d.get("interpolation_type")),
                f.optionalBool("use_karras_sigmas", (Boolean) d.get("use_karras_sigmas")),
                f.optionalReal("sigma_min", null),
                f.optionalReal("sigma_max", null),
                f.optionalString("timestep_type", (String) d.get("timestep_type")),
                f.optionalString("final_sigmas_type", (String) d.get("final_sigmas_type")),
                f.optionalInteger("solver_order", (Integer) d.get("solver_order")),
                f.optionalString("algorithm_type", (String) d.get("algorithm_type")),
                f.optionalString("solver_type", (String) d.get("solver_type")),
                f.optionalBool("lower_order_final", (Boolean) d.get("lower_order_final")),
                ((ObjectNode) json).deepCopy(),
                f.extra());
    }

    /**
     * The same file resolved as another scheduler class, as diffusers' {@code OtherScheduler.from_config(config)}
     * does: the file's values stay, the other class's defaults fill the rest.
     */
    public SchedulerConfig as(String otherClassName) {
        ObjectNode copy = file.deepCopy();
        copy.set("_class_name", TextNode.valueOf(otherClassName));
        return fromJson(copy, Path.of("scheduler_config.json (as " + otherClassName + ")"));
    }

    @Override
    public String kind() {
        return className;
    }

    /** A copy of the fields as the file wrote them (so callers cannot change this record). */
    @Override
    public ObjectNode file() {
        return file.deepCopy();
    }
}
