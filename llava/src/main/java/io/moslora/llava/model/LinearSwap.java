package io.moslora.llava.model;

import io.moslora.nn.Linear;
import io.moslora.nn.Module;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The seam for {@code --quantize nf4}: the decoder's Linear layers (attention and MLP projections of every layer;
 * not the embeddings and not the output head, as QLoRA leaves them) swapped one by one for another layer, e.g. the
 * quant module's 4-bit Linear, through {@link Module#replace}. Forward passes look children up by name, so the swap
 * takes effect at once.
 */
public final class LinearSwap {
    /** Makes the replacement for one Linear (its weights already loaded); may return the Linear unchanged. */
    @FunctionalInterface
    public interface Replacement {
        Module replace(String path, Linear linear);
    }

    private LinearSwap() {}

    /** The decoder-layer Linears of a language model by dotted path (relative to {@code lm}). */
    public static Map<String, Linear> decoderLinears(CausalLM lm) {
        Map<String, Linear> out = new LinkedHashMap<>();
        lm.namedModules().forEach((path, module) -> {
            if (module instanceof Linear l && path.startsWith("model.layers.")) {
                out.put(path, l);
            }
        });
        return out;
    }

    /** Swaps every decoder-layer Linear of {@code lm}; returns how many were replaced by something new. */
    public static int apply(CausalLM lm, Replacement replacement) {
        int swapped = 0;
        for (Map.Entry<String, Linear> e : decoderLinears(lm).entrySet()) {
            Module next = replacement.replace(e.getKey(), e.getValue());
            if (next != e.getValue()) {
                lm.replace(e.getKey(), next);
                swapped++;
            }
        }
        return swapped;
    }
}
