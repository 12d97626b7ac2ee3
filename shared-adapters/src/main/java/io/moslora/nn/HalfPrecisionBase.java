package io.moslora.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Puts a frozen base into half precision: every plain {@link Linear} below a module becomes a
 * {@link HalfPrecisionLinear}, chosen {@link Embedding}s become {@link HalfPrecisionEmbedding}s. Run it before
 * adapters are injected and leave trainable parts (projectors, norms) out of the subtree.
 */
public final class HalfPrecisionBase {
    private HalfPrecisionBase() {}

    /** Swaps every materialized plain Linear under {@code root}; returns their paths (nothing for fp32). */
    public static List<String> convertLinears(Module root, Precision precision) {
        List<String> done = new ArrayList<>();
        if (!precision.isHalf()) {
            return done;
        }
        for (Map.Entry<String, Module> e : root.namedModules().entrySet()) {
            // exactly Linear: 4-bit layers and adapter wrappers keep their own number handling
            if (e.getValue().getClass() == Linear.class && ((Linear) e.getValue()).weight().isMaterialized()) {
                root.replace(e.getKey(), new HalfPrecisionLinear((Linear) e.getValue(), precision));
                done.add(e.getKey());
            }
        }
        return done;
    }

    /** Swaps the Embedding at {@code path} (relative to {@code root}); nothing for fp32. */
    public static void convertEmbedding(Module root, String path, Precision precision) {
        if (precision.isHalf()) {
            Module m = root.get(path);
            if (m.getClass() != Embedding.class) {
                throw new IllegalArgumentException("no plain Embedding at '" + path + "' but " + m.getClass().getSimpleName());
            }
            root.replace(path, new HalfPrecisionEmbedding((Embedding) m, precision));
        }
    }
}
