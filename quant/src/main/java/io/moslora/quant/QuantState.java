package io.moslora.quant;

import java.util.Arrays;

/**
 * A weight quantized to 4 bits, with everything needed to get it back: bitsandbytes' {@code QuantState} plus the
 * packed codes. Exactly one of {@code absmax} (plain float32 per block) and {@code nested} (double-quantized)
 * is set.
 *
 * @param type      NF4 or FP4
 * @param blocksize values per absmax block
 * @param shape     the original weight's shape (row-major), e.g. {@code [out, in]}
 * @param dtype     the original dtype as bitsandbytes names it: {@code float16}, {@code bfloat16}, {@code float32}
 * @param packed    two 4-bit indices per byte, even element in the high nibble
 * @param code      the 16-entry table the indices refer to ({@code quant_map})
 * @param absmax    per-block float32 absmax, or null with double quantization
 * @param nested    the double-quantized absmax, or null without
 */
public record QuantState(FourBitType type, int blocksize, long[] shape, String dtype, byte[] packed, float[] code,
        float[] absmax, DoubleQuant nested) {

    public QuantState {
        Nf4Codec.checkBlocksize(blocksize);
        if (!dtype.equals("float16") && !dtype.equals("bfloat16") && !dtype.equals("float32")) {
            throw new IllegalArgumentException("dtype '" + dtype + "' is not float16, bfloat16 or float32");
        }
        shape = shape.clone();
        long n = numel(shape);
        if (packed.length != Nf4Codec.packedLength(n)) {
            throw new IllegalArgumentException("packed weight has " + packed.length + " bytes, expected "
                    + Nf4Codec.packedLength(n) + " for shape " + Arrays.toString(shape));
        }
        if (code.length != 16) {
            throw new IllegalArgumentException("quant_map has " + code.length + " values, expected 16");
        }
        if ((absmax == null) == (nested == null)) {
            throw new IllegalArgumentException("exactly one of absmax and nested absmax must be given");
        }
        int blocks = Nf4Codec.blockCount(n, blocksize);
        int have = absmax != null ? absmax.length : nested.codes().length;
        if (have != blocks) {
            throw new IllegalArgumentException("absmax has " + have + " values, expected " + blocks + " blocks of "
                    + blocksize + " for shape " + Arrays.toString(shape));
        }
    }

    /** Quantizes {@code weights} (row-major, {@code shape}) with the fastest kernels available here. */
    public static QuantState quantize(float[] weights, long[] shape, String dtype, FourBitType type, int blocksize,
            boolean doubleQuant) {
        return quantize(FourBitKernels.best(), weights, shape, dtype, type, blocksize, doubleQuant);
    }

    public static QuantState quantize(FourBitKernels kernels, float[] weights, long[] shape, String dtype,
            FourBitType type, int blocksize, boolean doubleQuant) {
        Nf4Codec.checkBlocksize(blocksize);
        int n = Math.toIntExact(numel(shape));
        if (weights.length < n) {
            throw new IllegalArgumentException("weights have " + weights.length + " values, shape needs " + n);
        }
        byte[] packed = new byte[Nf4Codec.packedLength(n)];
        float[] absmax = new float[Nf4Codec.blockCount(n, blocksize)];
        kernels.quantize(weights, n, blocksize, type, packed, absmax);
        if (doubleQuant) {
            return new QuantState(type, blocksize, shape, dtype, packed, type.table(), null,
                    DoubleQuant.quantize(absmax));
        }
        return new QuantState(type, blocksize, shape, dtype, packed, type.table(), absmax, null);
    }

    public long numel() {
        return numel(shape);
    }

    public boolean doubleQuant() {
        return nested != null;
    }

    /** The float32 absmax of every block (dequantized first with double quantization). */
    public float[] blockAbsmax() {
        return nested != null ? nested.dequantize() : absmax.clone();
    }

    public float[] dequantize() {
        return dequantize(FourBitKernels.best());
    }

    public float[] dequantize(FourBitKernels kernels) {
        int n = Math.toIntExact(numel());
        float[] out = new float[n];
        kernels.dequantize(packed, blockAbsmax(), code, n, blocksize, out);
        return out;
    }

    /** Dequantized into {@code out} (see {@link FourBitKernels#dequantizeInto}): float32, or IEEE half if {@code half}. */
    public void dequantizeInto(FourBitKernels kernels, java.nio.ByteBuffer out, boolean half) {
        kernels.dequantizeInto(packed, blockAbsmax(), code, Math.toIntExact(numel()), blocksize, out, half);
    }

    /** Dequantized to IEEE half (raw bits). */
    public short[] dequantizeHalf(FourBitKernels kernels) {
        int n = Math.toIntExact(numel());
        short[] out = new short[n];
        kernels.dequantizeHalf(packed, blockAbsmax(), code, n, blocksize, out);
        return out;
    }

    /**
     * Storage per weight in bits: packed codes plus block scales (8-bit codes, one float32 per nested block and
     * the offset with double quantization; one float32 per block without). The fixed 16- and 256-entry tables
     * and the JSON are per tensor, not per weight, and are left out, as in the QLoRA paper's 4.127 figure.
     */
    public double bitsPerParameter() {
        double bits = packed.length * 8.0;
        if (nested != null) {
            bits += nested.codes().length * 8.0 + nested.scales().length * 32.0 + 32.0;
        } else {
            bits += absmax.length * 32.0;
        }
        return bits / numel();
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
