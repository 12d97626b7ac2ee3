package io.moslora.adapters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moslora.cli.UserError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An adapter's settings as a plain value that round-trips through PEFT's {@code adapter_config.json}. MoSLoRA
 * adds {@code "lora_use_mixer": true} (the official MoSLoRA code's flag) plus our mixer-init and mixer-type fields;
 * plain LoRA writes none of them, so stock PEFT reads it without a warning. DoRA is PEFT's own
 * {@code "use_dora": true}.
 *
 * @param targetModules names matched as PEFT does (the full path, or its end after a dot); empty when
 *     {@code targetRegex} or {@code allLinear} selects the targets
 * @param targetRegex a regex that must match the whole module path (PEFT's string form of target_modules)
 * @param allLinear PEFT's {@code "all-linear"}: every linear layer except the output head
 * @param gaussianA A initialised N(0, 1/r²) (PEFT/diffusers "gaussian") instead of kaiming-uniform
 */
public record AdapterConfig(
        AdapterKind kind,
        int r,
        double alpha,
        double dropout,
        List<String> targetModules,
        String targetRegex,
        boolean allLinear,
        List<String> excludeModules,
        boolean useRslora,
        MixerInit mixerInit,
        boolean gaussianA,
        List<String> modulesToSave,
        String baseModelNameOrPath,
        String taskType) {

    public AdapterConfig {
        targetModules = List.copyOf(targetModules);
        excludeModules = List.copyOf(excludeModules);
        modulesToSave = List.copyOf(modulesToSave);
        if (r <= 0) {
            throw new IllegalArgumentException("rank r must be positive, got " + r);
        }
        if (kind == AdapterKind.TS_MIXING) {
            if (r % 2 != 0) {
                throw new IllegalArgumentException("ts-mixing needs an even rank, got r=" + r);
            }
            mixerInit = MixerInit.BUTTERFLY;
        }
    }

    /** The common case: a kind, a rank, alpha, and target names; everything else at PEFT's defaults. */
    public static AdapterConfig of(AdapterKind kind, int r, double alpha, List<String> targets) {
        return new AdapterConfig(kind, r, alpha, 0.0, targets, null, false, List.of(), false, MixerInit.KAIMING,
                false, List.of(), null, "CAUSAL_LM");
    }

    public AdapterConfig withMixerInit(MixerInit init) {
        return new AdapterConfig(kind, r, alpha, dropout, targetModules, targetRegex, allLinear, excludeModules,
                useRslora, init, gaussianA, modulesToSave, baseModelNameOrPath, taskType);
    }

    public AdapterConfig withKind(AdapterKind k) {
        return new AdapterConfig(k, r, alpha, dropout, targetModules, targetRegex, allLinear, excludeModules,
                useRslora, k == AdapterKind.TS_MIXING ? MixerInit.BUTTERFLY : mixerInit, gaussianA, modulesToSave,
                baseModelNameOrPath, taskType);
    }

    /** α/r, or α/√r with rsLoRA. */
    public double scaling() {
        return useRslora ? alpha / Math.sqrt(r) : alpha / r;
    }

    public ObjectNode toJson() {
        ObjectMapper om = new ObjectMapper();
        ObjectNode o = om.createObjectNode();
        o.put("peft_type", "LORA");
        o.put("task_type", taskType);
        o.put("base_model_name_or_path", baseModelNameOrPath);
        o.put("r", r);
        if (alpha == Math.rint(alpha)) {
            o.put("lora_alpha", (long) alpha);
        } else {
            o.put("lora_alpha", alpha);
        }
        o.put("lora_dropout", dropout);
        if (allLinear) {
            o.put("target_modules", "all-linear");
        } else if (targetRegex != null) {
            o.put("target_modules", targetRegex);
        } else {
            ArrayNode t = o.putArray("target_modules");
            targetModules.forEach(t::add);
        }
        if (!excludeModules.isEmpty()) {
            ArrayNode e = o.putArray("exclude_modules");
            excludeModules.forEach(e::add);
        }
        o.put("use_rslora", useRslora);
        if (gaussianA) {
            o.put("init_lora_weights", "gaussian");
        } else {
            o.put("init_lora_weights", true);
        }
        if (modulesToSave.isEmpty()) {
            o.putNull("modules_to_save");
        } else {
            ArrayNode m = o.putArray("modules_to_save");
            modulesToSave.forEach(m::add);
        }
        o.put("bias", "none");
        o.put("fan_in_fan_out", false);
        o.put("inference_mode", true);
        o.put("use_dora", kind == AdapterKind.DORA);
        if (kind.hasMixer()) {
            o.put("lora_use_mixer", true);
            o.put("moslora_mixer_type", kind.id());
            o.put("moslora_mixer_init", mixerInit.id());
        }
        return o;
    }

    /** Reads PEFT's JSON (ours, stock PEFT's, or the official MoSLoRA code's); errors name the file and field. */
    public static AdapterConfig fromJson(JsonNode o, Path source) {
        if (!o.isObject()) {
            throw new UserError(source + ": not a JSON object");
        }
        String peftType = text(o, "peft_type", source, "LORA");
        if (!peftType.equalsIgnoreCase("LORA")) {
            throw new UserError(source + ": field peft_type: only LORA adapters are supported, got " + peftType);
        }
        int r = (int) number(o, "r", source, 8);
        double alpha = number(o, "lora_alpha", source, 8);
        double dropout = number(o, "lora_dropout", source, 0);
        List<String> targets = new ArrayList<>();
        String regex = null;
        boolean allLinear = false;
        JsonNode t = o.get("target_modules");
        if (t != null && t.isTextual()) {
            if (t.asText().equals("all-linear")) {
                allLinear = true;
            } else {
                regex = t.asText();
            }
        } else if (t != null && t.isArray()) {
            t.forEach(n -> targets.add(n.asText()));
        } else if (t != null && !t.isNull()) {
            throw new UserError(source + ": field target_modules: expected a list or a string");
        }
        List<String> exclude = strings(o, "exclude_modules", source);
        boolean rslora = o.path("use_rslora").asBoolean(false);
        JsonNode init = o.get("init_lora_weights");
        boolean gaussian = init != null && init.isTextual() && init.asText().equals("gaussian");
        boolean mixer = o.path("lora_use_mixer").asBoolean(false);
        boolean dora = o.path("use_dora").asBoolean(false);
        if (dora && mixer) {
            throw new UserError(source + ": field use_dora: DoRA together with lora_use_mixer (a MoSLoRA mixer) is not "
                    + "supported; set one of them to false");
        }
        AdapterKind kind = dora ? AdapterKind.DORA : !mixer ? AdapterKind.LORA
                : o.has("moslora_mixer_type") ? AdapterKind.parse(o.get("moslora_mixer_type").asText())
                : AdapterKind.MOSLORA;
        if (mixer && !kind.hasMixer()) {
            throw new UserError(source + ": field moslora_mixer_type: '" + kind + "' has no mixer; expected moslora or ts-mixing");
        }
        MixerInit mixerInit = o.has("moslora_mixer_init")
                ? MixerInit.parse(o.get("moslora_mixer_init").asText()) : MixerInit.KAIMING;
        try {
            return new AdapterConfig(kind, r, alpha, dropout, targets, regex, allLinear, exclude, rslora, mixerInit,
                    gaussian, strings(o, "modules_to_save", source), o.path("base_model_name_or_path").asText(null),
                    o.path("task_type").asText(null));
        } catch (IllegalArgumentException e) {
            throw new UserError(source + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode o, String field, Path source, String dflt) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw new UserError(source + ": field " + field + ": expected a string, got " + n);
        }
        return n.asText();
    }

    private static double number(JsonNode o, String field, Path source, double dflt) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw new UserError(source + ": field " + field + ": expected a number, got " + n);
        }
        return n.asDouble();
    }

    private static List<String> strings(JsonNode o, String field, Path source) {
        JsonNode n = o.get(field);
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            throw new UserError(source + ": field " + field + ": expected a list of strings, got " + n);
        }
        n.forEach(x -> out.add(x.asText()));
        return out;
    }
}
