package io.moslora.adapters;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.cli.UserError;
import io.moslora.nn.HalfPrecisionLinear;
import io.moslora.nn.LinearLayer;
import io.moslora.nn.Module;
import io.moslora.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Wraps the target layers of a model in {@link LoraLinear} adapters. The base is frozen; only adapter
 * parameters and the listed {@code modules_to_save} train. Target matching follows PEFT: a name matches a module
 * path when it equals the path or the path ends with {@code "." + name}; a regex must match the whole path.
 */
public final class AdapterInjector {
    /** Output heads that {@code all-linear} leaves alone, as PEFT does (LLaMA's lm_head, InternLM2's output). */
    private static final Set<String> OUTPUT_HEADS = Set.of("lm_head", "output");

    private AdapterInjector() {}

    /**
     * Injects adapters and returns the wrapped paths in model order. With a null manager the adapters stay
     * shape-only (for counting parameters of a model built without weights).
     */
    public static List<String> inject(Module root, AdapterConfig config, NDManager manager) {
        root.setTrainable(false);
        List<String> targets = new ArrayList<>();
        for (Map.Entry<String, Module> e : root.namedModules().entrySet()) {
            if (e.getValue() instanceof LinearLayer && !(e.getValue() instanceof LoraLinear)
                    && !isInsideAdapter(e.getKey()) && matches(e.getKey(), config)) {
                targets.add(e.getKey());
            }
        }
        if (targets.isEmpty()) {
            throw new UserError("no module matches the adapter targets " + describeTargets(config)
                    + " (module paths look like " + examplePaths(root) + ")");
        }
        for (String path : targets) {
            Module base = root.get(path);
            LoraLinear adapter = new LoraLinear(base, config);
            if (manager != null) {
                adapter.materializeAdapter(manager, dtypeOf(base));
            }
            root.replace(path, adapter);
        }
        for (String path : config.modulesToSave()) {
            boolean found = false;
            for (Map.Entry<String, Module> e : root.namedModules().entrySet()) {
                if (e.getKey().equals(path) || e.getKey().endsWith("." + path)) {
                    e.getValue().setTrainable(true);
                    found = true;
                }
            }
            if (!found) {
                throw new UserError("modules_to_save: no module named " + path);
            }
        }
        return targets;
    }

    static boolean matches(String path, AdapterConfig config) {
        for (String ex : config.excludeModules()) {
            if (nameMatches(path, ex)) {
                return false;
            }
        }
        if (config.allLinear()) {
            String last = path.substring(path.lastIndexOf('.') + 1);
            return !OUTPUT_HEADS.contains(last);
        }
        if (config.targetRegex() != null) {
            return Pattern.compile(config.targetRegex()).matcher(path).matches();
        }
        return config.targetModules().stream().anyMatch(t -> nameMatches(path, t));
    }

    private static boolean nameMatches(String path, String name) {
        return path.equals(name) || path.endsWith("." + name);
    }

    private static boolean isInsideAdapter(String path) {
        return path.contains(".lora_") || path.contains(".base_layer");
    }

    private static DataType dtypeOf(Module base) {
        if (base instanceof HalfPrecisionLinear) {
            return DataType.FLOAT32; // a half-precision base takes and gives float32; its adapter trains in fp32
        }
        for (Parameter p : base.namedParameters().values()) {
            if (p.isMaterialized() && p.array().getDataType().isFloating()) {
                return p.array().getDataType();
            }
        }
        return DataType.FLOAT32;
    }

    private static String describeTargets(AdapterConfig c) {
        return c.allLinear() ? "all-linear" : c.targetRegex() != null ? "regex " + c.targetRegex() : c.targetModules().toString();
    }

    private static String examplePaths(Module root) {
        List<String> linear = new ArrayList<>();
        root.namedModules().forEach((k, m) -> {
            if (m instanceof LinearLayer && linear.size() < 3) {
                linear.add(k);
            }
        });
        return linear.toString();
    }
}
