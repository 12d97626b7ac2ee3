package io.moslora.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.cli.UserError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Fills a module's parameters from a {@link TensorSource}, tensor by tensor (peak memory ≈ one tensor beyond the
 * model). {@code rename} maps a file's key to the module's key (or to null to skip it), so one module serves
 * several checkpoint layouts (llava-hf, the newer transformers layout, XTuner).
 */
public final class StateDictLoader {
    private StateDictLoader() {}

    /** What a load found: keys the module wanted but the source lacked, and keys the module does not have. */
    public record Report(List<String> loaded, List<String> missing, List<String> unexpected) {
        public boolean complete() {
            return missing.isEmpty() && unexpected.isEmpty();
        }
    }

    public static Report load(Module module, TensorSource source, NDManager manager, DataType dtype, boolean strict,
            UnaryOperator<String> rename) {
        Map<String, Parameter> params = module.namedParameters();
        List<String> loaded = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        Set<Parameter> filled = new HashSet<>();
        for (String fileKey : source.names()) {
            String key = rename.apply(fileKey);
            if (key == null) {
                continue;
            }
            Parameter p = params.get(key);
            if (p == null) {
                unexpected.add(fileKey);
                continue;
            }
            if (!p.shape().equals(source.shape(fileKey))) {
                throw new UserError(source.describe() + ": tensor " + fileKey + " has shape " + source.shape(fileKey)
                        + " but the model built from its config expects " + p.shape() + " for " + key);
            }
            NDArray values = source.read(fileKey, manager, dtype);
            p.set(values);
            filled.add(p);
            loaded.add(key);
        }
        List<String> missing = new ArrayList<>();
        params.forEach((k, p) -> {
            if (!filled.contains(p)) {
                missing.add(k);
            }
        });
        Report report = new Report(loaded, missing, unexpected);
        if (strict && !report.complete()) {
            throw new UserError(source.describe() + ": strict load failed: missing " + summarize(missing)
                    + "; unexpected " + summarize(unexpected));
        }
        return report;
    }

    public static Report load(Module module, TensorSource source, NDManager manager, DataType dtype, boolean strict) {
        return load(module, source, manager, dtype, strict, UnaryOperator.identity());
    }

    private static String summarize(List<String> keys) {
        if (keys.isEmpty()) {
            return "none";
        }
        int show = Math.min(5, keys.size());
        String head = String.join(", ", keys.subList(0, show));
        return keys.size() + " (" + head + (keys.size() > show ? ", …" : "") + ")";
    }
}
