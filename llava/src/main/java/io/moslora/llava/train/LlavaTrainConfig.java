package io.moslora.llava.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.MixerInit;
import io.moslora.cli.UserError;
import io.moslora.nn.Precision;
import io.moslora.train.LrSchedule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Everything {@code llava train} needs, resolved from a preset, a user file (YAML or JSON, which may name a
 * {@code preset} to start from) and {@code --set key=value} overrides, in that order. The resolved tree is what
 * the run writes next to its outputs, so a run can be repeated from it alone.
 *
 * @param model {@code tiny} (the shipped tiny LLaVA with seeded random weights) or a llava-hf checkpoint folder
 * @param llm / visionTower / projector XTuner's way instead of {@code model}: separate parts (all three or none)
 * @param llmQuantization {@code none} or {@code nf4} (QMoSLoRA: a frozen 4-bit LLM)
 * @param trainBase train every weight (no adapters): how the demo pre-trains its tiny base
 * @param maxSteps when positive, the number of optimizer steps instead of {@code epochs} over the data
 * @param precision {@code fp32}, or {@code fp16} / {@code bf16}: the frozen base weights kept and multiplied in
 *     that half type, everything trained (adapters, projector, norms, AdamW states) in fp32
 * @param device {@code auto} (cuda when DJL sees a GPU, else cpu), {@code cpu} or {@code cuda}; see {@link TrainingDevice}
 */
public record LlavaTrainConfig(
        String model, String llm, String visionTower, String projector, String tokenizer, String template,
        String dataPath, String imageFolder, String outputDir, int maxLength, double epochs, long maxSteps,
        int batchSize, int gradAccum, double lr, double weightDecay, double warmupRatio, LrSchedule.Kind lrSchedule,
        double maxGradNorm, long seed, int checkpointEvery, int keepCheckpoints, String llmQuantization,
        AdapterSettings llmAdapter, AdapterSettings visionAdapter, boolean trainProjector, boolean trainBase,
        boolean skipBad, Precision precision, String device, ObjectNode resolved) {

    public static final List<String> PRESETS = List.of("tiny", "llava-llama3-8b-moslora", "llava-internlm2-7b-qmoslora");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The shipped preset, resolved (with overrides applied). */
    public static LlavaTrainConfig preset(String name, List<String> overrides) {
        Path source = Path.of("preset " + name);
        ObjectNode tree = presetTree(name);
        applyOverrides(tree, overrides);
        return fromTree(tree, source);
    }

    /** A user's config file on top of the preset it names (or on top of nothing). */
    public static LlavaTrainConfig load(Path file, List<String> overrides) {
        ObjectNode user = readTree(file);
        ObjectNode tree = JsonNodeFactory.instance.objectNode();
        JsonNode presetName = user.remove("preset");
        if (presetName != null) {
            if (!PRESETS.contains(presetName.asText())) {
                throw new UserError(file + ": field preset: unknown '" + presetName.asText() + "'; expected one of " + PRESETS);
            }
            tree = presetTree(presetName.asText());
        }
        merge(tree, user);
        applyOverrides(tree, overrides);
        return fromTree(tree, file);
    }

    /** {@code --config}: a preset name or a file path. */
    public static LlavaTrainConfig resolve(String configArg, List<String> overrides) {
        if (PRESETS.contains(configArg) && !Files.exists(Path.of(configArg))) {
            return preset(configArg, overrides);
        }
        return load(Path.of(configArg), overrides);
    }

    static ObjectNode presetTree(String name) {
        String resource = "presets/" + name + ".yaml";
        try (InputStream in = LlavaTrainConfig.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UserError("unknown preset '" + name + "'; expected one of " + PRESETS);
            }
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("shipped preset " + resource + " is unreadable", e);
        }
    }

    private static ObjectNode readTree(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserError(file + ": config file not found (or give a preset: " + String.join(", ", PRESETS) + ")");
        }
        String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper = lower.endsWith(".json") ? JSON : YAML;
        try {
            JsonNode n = mapper.readTree(file.toFile());
            if (n == null || !n.isObject()) {
                throw new UserError(file + ": expected a mapping of settings at the top level");
            }
            return (ObjectNode) n;
        } catch (IOException e) {
            throw new UserError(file + ": not valid " + (mapper == JSON ? "JSON" : "YAML") + ": "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** Deep merge: objects merge key by key, anything else replaces. */
    private static void merge(ObjectNode into, ObjectNode from) {
        Iterator<String> names = from.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            JsonNode v = from.get(k);
            if (v.isObject() && into.get(k) instanceof ObjectNode target) {
                merge(target, (ObjectNode) v);
            } else {
                into.set(k, v.deepCopy());
            }
        }
    }

    /** {@code key=value} with dotted keys into nested sections; values parse as YAML scalars or lists. */
    static void applyOverrides(ObjectNode tree, List<String> overrides) {
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new UserError("--set " + o + ": expected key=value (e.g. --set lr=1e-4 or --set llm_adapter.r=16)");
            }
            String[] path = o.substring(0, eq).trim().split("\\.");
            String raw = o.substring(eq + 1);
            JsonNode value;
            try {
                value = raw.isEmpty() ? JsonNodeFactory.instance.nullNode() : YAML.readTree(raw);
            } catch (IOException e) {
                throw new UserError("--set " + o + ": the value is not a valid YAML scalar or list");
            }
            ObjectNode at = tree;
            for (int i = 0; i < path.length - 1; i++) {
                JsonNode next = at.get(path[i]);
                if (!(next instanceof ObjectNode)) {
                    next = at.putObject(path[i]);
                }
                at = (ObjectNode) next;
            }
            at.set(path[path.length - 1], value == null ? JsonNodeFactory.instance.nullNode() : value);
        }
    }

    static LlavaTrainConfig fromTree(ObjectNode t, Path src) {
        Fields f = new Fields(t, src, "");
        String model = f.string("model", null);
        String llm = f.string("llm", null);
        String vision = f.string("vision_tower", null);
        String projector = f.string("projector", null);
        boolean parts = llm != null || vision != null || projector != null;
        if (parts && (llm == null || vision == null || projector == null)) {
            throw new UserError(src + ": fields llm, vision_tower, projector: give all three (XTuner's parts) or none");
        }
        if (model == null && !parts) {
            throw new UserError(src + ": field model: missing (tiny, or a llava-hf checkpoint folder; or llm + vision_tower + projector)");
        }
        String quant = f.string("llm_quantization", "none");
        if (!quant.equals("none") && !quant.equals("nf4")) {
            throw new UserError(src + ": field llm_quantization: expected none or nf4, got " + quant);
        }
        LrSchedule.Kind schedule;
        String s = f.string("lr_schedule", "cosine");
        try {
            schedule = LrSchedule.Kind.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserError(src + ": field lr_schedule: expected cosine, linear or constant, got " + s);
        }
        String precisionText = f.string("precision", Precision.FP32.configName());
        Precision precision = Precision.parseOrNull(precisionText);
        if (precision == null) {
            throw new UserError(src + ": field precision: expected fp32, fp16 or bf16, got " + precisionText);
        }
        boolean trainBase = f.bool("train_base", false);
        if (trainBase && precision.isHalf()) {
            throw new UserError(src + ": field precision: train_base trains every weight, which needs fp32, got "
                    + precision.configName());
        }
        String device = f.string("device", TrainingDevice.AUTO);
        if (!TrainingDevice.SETTINGS.contains(device)) {
            throw new UserError(src + ": field device: expected one of " + TrainingDevice.SETTINGS + ", got " + device);
        }
        t.put("precision", precision.configName()); // the written config names them even when defaulted
        t.put("device", device);
        return new LlavaTrainConfig(model, llm, vision, projector, f.string("tokenizer", null),
                f.string("template", "vicuna_v1"), f.string("data_path", null), f.string("image_folder", null),
                f.string("output_dir", "work-dirs/llava-train"), f.positiveInt("max_length", 1472),
                f.positiveDouble("epochs", 1), f.nonNegativeLong("max_steps", 0), f.positiveInt("batch_size", 1),
                f.positiveInt("grad_accum", 1), f.positiveDouble("lr", 2e-4), f.nonNegativeDouble("weight_decay", 0),
                f.fraction("warmup_ratio", 0.03), schedule, f.nonNegativeDouble("max_grad_norm", 1.0),
                f.nonNegativeLong("seed", 42), (int) f.nonNegativeLong("checkpoint_every", 0),
                f.positiveInt("keep_checkpoints", 2), quant, adapter(t, "llm_adapter", src),
                adapter(t, "vision_adapter", src), f.bool("train_projector", true), trainBase, f.bool("skip_bad", false),
                precision, device, t.deepCopy());
    }

    private static AdapterSettings adapter(ObjectNode t, String key, Path src) {
        JsonNode n = t.get(key);
        if (n == null || n.isNull()) {
            return new AdapterSettings(null, 1, 1, 0, MixerInit.KAIMING, List.of());
        }
        if (!n.isObject()) {
            throw new UserError(src + ": field " + key + ": expected a section with kind, r, alpha, targets");
        }
        Fields f = new Fields((ObjectNode) n, src, key + ".");
        String kindText = f.string("kind", "lora");
        if (kindText.equals("none")) {
            return new AdapterSettings(null, 1, 1, 0, MixerInit.KAIMING, List.of());
        }
        AdapterKind kind;
        MixerInit init;
        try {
            kind = AdapterKind.parse(kindText);
        } catch (IllegalArgumentException e) {
            throw new UserError(src + ": field " + key + ".kind: " + e.getMessage() + " or none");
        }
        try {
            init = MixerInit.parse(f.string("mixer_init", "kaiming"));
        } catch (IllegalArgumentException e) {
            throw new UserError(src + ": field " + key + ".mixer_init: " + e.getMessage());
        }
        List<String> targets = f.strings("targets");
        if (targets.isEmpty()) {
            throw new UserError(src + ": field " + key + ".targets: list the module names to adapt (e.g. [q_proj, v_proj])");
        }
        int r = f.positiveInt("r", 8);
        if (kind == AdapterKind.TS_MIXING && r % 2 != 0) {
            throw new UserError(src + ": field " + key + ".r: ts-mixing needs an even rank, got " + r);
        }
        return new AdapterSettings(kind, r, f.positiveDouble("alpha", 16), f.fraction("dropout", 0), init, targets);
    }

    /** Optimizer steps for {@code samples} training samples (or {@code max_steps}). */
    public long totalSteps(int samples) {
        if (maxSteps > 0) {
            return maxSteps;
        }
        long perStep = (long) batchSize * gradAccum;
        return Math.max(1, (long) Math.ceil(epochs * samples / perStep));
    }

    public LrSchedule schedule(long totalSteps) {
        return LrSchedule.withWarmupRatio(lrSchedule, lr, warmupRatio, totalSteps);
    }

    public String resolvedJson() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(resolved) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Typed reads of one section; every error names the file and the dotted field. */
    private record Fields(ObjectNode node, Path src, String prefix) {
        private UserError bad(String key, String what) {
            return new UserError(src + ": field " + prefix + key + ": " + what);
        }

        String string(String key, String def) {
            JsonNode n = node.get(key);
            if (n == null || n.isNull()) {
                return def;
            }
            if (!n.isValueNode()) {
                throw bad(key, "expected a single value");
            }
            return n.asText();
        }

        private double number(String key, double def) {
            JsonNode n = node.get(key);
            if (n == null || n.isNull()) {
                return def;
            }
            if (n.isNumber()) {
                return n.asDouble();
            }
            try {
                return Double.parseDouble(n.asText());
            } catch (NumberFormatException e) {
                throw bad(key, "expected a number, got '" + n.asText() + "'");
            }
        }

        int positiveInt(String key, int def) {
            double v = number(key, def);
            if (v <= 0 || v != Math.rint(v) || v > Integer.MAX_VALUE) {
                throw bad(key, "expected a positive whole number, got " + v);
            }
            return (int) v;
        }

        long nonNegativeLong(String key, long def) {
            double v = number(key, def);
            if (v < 0 || v != Math.rint(v)) {
                throw bad(key, "expected a whole number ≥ 0, got " + v);
            }
            return (long) v;
        }

        double positiveDouble(String key, double def) {
            double v = number(key, def);
            if (!(v > 0)) {
                throw bad(key, "expected a number > 0, got " + v);
            }
            return v;
        }

        double nonNegativeDouble(String key, double def) {
            double v = number(key, def);
            if (!(v >= 0)) {
                throw bad(key, "expected a number ≥ 0, got " + v);
            }
            return v;
        }

        double fraction(String key, double def) {
            double v = number(key, def);
            if (!(v >= 0 && v < 1)) {
                throw bad(key, "expected a fraction in [0, 1), got " + v);
            }
            return v;
        }

        boolean bool(String key, boolean def) {
            JsonNode n = node.get(key);
            if (n == null || n.isNull()) {
                return def;
            }
            if (n.isBoolean()) {
                return n.asBoolean();
            }
            throw bad(key, "expected true or false, got '" + n.asText() + "'");
        }

        List<String> strings(String key) {
            JsonNode n = node.get(key);
            List<String> out = new ArrayList<>();
            if (n == null || n.isNull()) {
                return out;
            }
            if (n.isTextual()) {
                for (String s : n.asText().split(",")) {
                    if (!s.isBlank()) {
                        out.add(s.trim());
                    }
                }
                return out;
            }
            if (!(n instanceof ArrayNode a)) {
                throw bad(key, "expected a list of names");
            }
            a.forEach(x -> out.add(x.asText()));
            return out;
        }
    }
}
