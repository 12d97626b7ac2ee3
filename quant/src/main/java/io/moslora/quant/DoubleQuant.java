package io.moslora.quant;

/**
 * Double quantization of the 4-bit block absmax values (QLoRA): subtract their mean ({@code offset}), then code
 * the differences with the signed 8-bit {@link DynamicMap} in blocks of {@code blocksize} (256 for 4-bit
 * weights), one float32 scale per block. Dequantized as {@code code[q] * scale[i / blocksize] + offset}.
 *
 * @param codes    one 8-bit index per absmax value
 * @param scales   the absmax of each block of {@code blocksize} centred values ({@code nested_absmax})
 * @param code     the 256-entry map the indices refer to ({@code nested_quant_map}); files carry their own
 * @param offset   the mean that was subtracted ({@code nested_offset})
 */
public record DoubleQuant(byte[] codes, float[] scales, float[] code, float offset, int blocksize) {
    /** bitsandbytes' nested block size for 4-bit weights. */
    public static final int BLOCKSIZE = 256;

    public DoubleQuant {
        if (code.length != DynamicMap.SIZE) {
            throw new IllegalArgumentException("nested quant map has " + code.length + " values, expected 256");
        }
        if (scales.length != (codes.length + blocksize - 1) / blocksize) {
            throw new IllegalArgumentException("nested_absmax has " + scales.length + " values for "
                    + codes.length + " absmax codes in blocks of " + blocksize);
        }
    }

    public static DoubleQuant quantize(float[] absmax) {
        return quantize(absmax, BLOCKSIZE);
    }

    /**
     * The offset is the mean taken in double and rounded once to float32 (PyTorch's float reduction order is not
     * reproducible; any float offset is valid, it is stored). The centred values are then coded as bitsandbytes'
     * CUDA {@code kQuantizeBlockwise} does: scale by {@code 1 / absmax} and pick with {@link DynamicMap#quantize}.
     */
    public static DoubleQuant quantize(float[] absmax, int blocksize) {
        double sum = 0;
        for (float a : absmax) {
            sum += a;
        }
        float offset = absmax.length == 0 ? 0f : (float) (sum / absmax.length);
        float[] map = DynamicMap.values();
        int n = absmax.length;
        int blocks = (n + blocksize - 1) / blocksize;
        byte[] codes = new byte[n];
        float[] scales = new float[blocks];
        for (int b = 0; b < blocks; b++) {
            int start = b * blocksize;
            int end = Math.min(start + blocksize, n);
            float amax = 0f;
            for (int i = start; i < end; i++) {
                float a = Math.abs(absmax[i] - offset);
                amax = a > amax ? a : amax;
            }
            scales[b] = amax;
            float inv = 1.0f / amax;
            for (int i = start; i < end; i++) {
                codes[i] = (byte) DynamicMap.quantize(map, (absmax[i] - offset) * inv);
            }
        }
        return new DoubleQuant(codes, scales, map, offset, blocksize);
    }

    /** The absmax values back, in float32: {@code code[q] * scale + offset}, two roundings as bitsandbytes. */
    public float[] dequantize() {
        float[] out = new float[codes.length];
        for (int i = 0; i < out.length; i++) {
            float scaled = code[codes[i] & 0xff] * scales[i / blocksize];
            out[i] = scaled + offset;
        }
        return out;
    }
}
