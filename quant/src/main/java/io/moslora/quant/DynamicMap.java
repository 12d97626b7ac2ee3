package io.moslora.quant;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The signed 8-bit dynamic map of bitsandbytes ({@code create_dynamic_map(signed=True, max_exponent_bits=7,
 * total_bits=8)}): 127 negative values, 0 at index 127, 127 positive values and 1.0 at index 255, sorted.
 * Double quantization codes the block absmax values with it.
 *
 * <p>bitsandbytes computes the map with {@code torch.linspace} at import time, whose last bits depend on
 * PyTorch's vectorised CPU kernel; we ship the exact float32 values PyTorch produces
 * ({@code dynamic_map_signed.txt}) and keep the formula ({@link #fromFormula()}) to show they are that map.
 */
public final class DynamicMap {
    public static final int SIZE = 256;
    private static final float[] VALUES = load();

    private DynamicMap() {}

    /** A copy of the 256 map values. */
    public static float[] values() {
        return VALUES.clone();
    }

    public static float value(int index) {
        return VALUES[index];
    }

    /**
     * The 8-bit index of {@code x} (already divided by its block's absmax), exactly as bitsandbytes' CUDA
     * {@code dQuantize}: a 7-step binary search from index 127, then a comparison with the midpoint towards the
     * neighbour on the side of {@code x}. A value exactly on a midpoint above the found code stays there; one
     * exactly on a midpoint below it also stays there (the kernel's asymmetric {@code >} / {@code <}).
     */
    public static int quantize(float x) {
        return quantize(VALUES, x);
    }

    static int quantize(float[] code, float x) {
        int pivot = 127;
        int upperPivot = 255;
        int lowerPivot = 0;
        float lower = -1.0f;
        float upper = 1.0f;
        float val = code[pivot];
        for (int step = 64; step > 0; step >>= 1) {
            if (x > val) {
                lowerPivot = pivot;
                lower = val;
                pivot += step;
            } else {
                upperPivot = pivot;
                upper = val;
                pivot -= step;
            }
            val = code[pivot];
        }
        if (upperPivot == 255) {
            upper = code[upperPivot];
        }
        if (lowerPivot == 0) {
            lower = code[lowerPivot];
        }
        if (x > val) {
            float midpoint = (upper + val) * 0.5f;
            return x > midpoint ? upperPivot : pivot;
        }
        float midpoint = (lower + val) * 0.5f;
        return x < midpoint ? lowerPivot : pivot;
    }

    /**
     * bitsandbytes' construction with a plain scalar float32 {@code linspace}: for each decimal exponent
     * {@code i = 0..6}, the midpoints of {@code linspace(0.1, 1, 2^i + 1)} times {@code 10^(i-6)}, both signs,
     * then 0 and 1, sorted. Differs from PyTorch's vectorised linspace by at most a few ulp.
     */
    static float[] fromFormula() {
        float[] data = new float[SIZE];
        int k = 0;
        for (int i = 0; i < 7; i++) {
            int items = (1 << i) + 1;
            float[] bounds = linspace(0.1f, 1.0f, items);
            float scale = (float) Math.pow(10, i - 6);
            for (int j = 0; j + 1 < items; j++) {
                data[k++] = scale * ((bounds[j] + bounds[j + 1]) / 2.0f);
            }
            for (int j = 0; j + 1 < items; j++) {
                data[k++] = -scale * ((bounds[j] + bounds[j + 1]) / 2.0f);
            }
        }
        data[k++] = 0f;
        data[k++] = 1.0f;
        Arrays.sort(data);
        return data;
    }

    /** PyTorch's scalar linspace rule: the first half counts up from start, the second half down from end. */
    private static float[] linspace(float start, float end, int steps) {
        float step = (end - start) / (steps - 1);
        float[] out = new float[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = i < steps / 2 ? start + step * i : end - step * (steps - i - 1);
        }
        return out;
    }

    private static float[] load() {
        try (InputStream in = DynamicMap.class.getResourceAsStream("dynamic_map_signed.txt")) {
            if (in == null) {
                throw new IllegalStateException("resource dynamic_map_signed.txt missing from the quant jar");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            float[] v = new float[SIZE];
            int n = 0;
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    v[n++] = (float) Double.parseDouble(line.trim());
                }
            }
            if (n != SIZE) {
                throw new IllegalStateException("dynamic_map_signed.txt has " + n + " values, expected 256");
            }
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
