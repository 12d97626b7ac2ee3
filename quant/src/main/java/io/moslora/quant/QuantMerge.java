package io.moslora.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.adapters.AdapterMerge;
import io.moslora.adapters.LoraLinear;
import io.moslora.nn.Module;
import java.nio.file.Path;

/**
 * The two ways to fold an adapter trained on a 4-bit base into weights (a 4-bit base cannot absorb ΔW in place):
 * <ul>
 *   <li>{@link #intoOriginal}: into the original 16/32-bit checkpoint the base was quantized from — exact, the
 *       result is a dense model (quantize it again with {@code quant nf4} if wanted);</li>
 *   <li>{@link #requantized}: into the dequantized weight, then quantized again — stays 4-bit, but the sum is
 *       rounded to the NF4 grid, so the error against the exact merged weight is measured and reported.</li>
 * </ul>
 */
public final class QuantMerge {
    private QuantMerge() {}

    /** Rounding error of a re-quantized merge against the exact {@code dequant(W) + ΔW}, over all weights. */
    public record RequantizeReport(String path, long numel, double maxAbsError, double rmsError) {}

    /** Policy (a): a file-level merge into the original dense checkpoint folder; returns the weights changed. */
    public static int intoOriginal(Path originalModelDir, Path adapterDir, Path outDir, long maxShardBytes) {
        return AdapterMerge.merge(originalModelDir, adapterDir, outDir, maxShardBytes);
    }

    /**
     * Policy (b): replaces the adapter at {@code path} (a LoraLinear over a Linear4bit) by a Linear4bit holding
     * {@code quantize(dequant(W) + ΔW)} with the base's own format, block size and double quantization.
     */
    public static RequantizeReport requantized(Module root, String path, NDManager manager) {
        if (!(root.get(path) instanceof LoraLinear lora) || !(lora.base() instanceof Linear4bit base)) {
            throw new IllegalArgumentException(path + " is not an adapter over a 4-bit base");
        }
        QuantState old = base.state();
        float[] exact;
        try (NDManager scope = manager.newSubManager()) {
            NDArray w = base.denseWeight();
            w.attach(scope);
            NDArray delta = lora.deltaWeight();
            delta.attach(scope);
            NDArray sum = w.add(delta.toType(DataType.FLOAT32, false));
            sum.attach(scope);
            exact = sum.toFloatArray();
        }
        QuantState merged = QuantState.quantize(exact, old.shape(), old.dtype(), old.type(), old.blocksize(),
                old.doubleQuant());
        float[] back = merged.dequantize();
        double max = 0;
        double sumSq = 0;
        for (int i = 0; i < exact.length; i++) {
            double d = Math.abs((double) back[i] - exact[i]);
            max = Math.max(max, d);
            sumSq += d * d;
        }
        Linear4bit replacement = new Linear4bit(merged, base.hasBias(), manager);
        if (base.hasBias()) {
            replacement.bias().set(base.bias().array());
        }
        root.replace(path, replacement);
        return new RequantizeReport(path, exact.length, max, Math.sqrt(sumSq / Math.max(1, exact.length)));
    }
}
