package io.moslora.quant;

/**
 * Blockwise 4-bit quantization in the bitsandbytes layout, in plain Java (the reference every other path is
 * tested against, and the fallback when the native library does not load).
 *
 * <p>Layout: the row-major weight is cut into blocks of {@code blocksize} consecutive values (the last block may
 * be partial); each block stores its absmax as float32; each value becomes the 4-bit index of the nearest code of
 * {@code value / absmax} (computed as {@code value * (1 / absmax)}, as bitsandbytes' CUDA kernel does); two
 * indices share a byte, the even-index element in the <b>high</b> nibble. An odd count pads the last low nibble
 * with the code of 0.
 */
public final class Nf4Codec {
    public static final int DEFAULT_BLOCKSIZE = 64;

    private Nf4Codec() {}

    /** Block sizes bitsandbytes accepts for 4-bit: powers of two from 32 to 4096. */
    public static boolean isValidBlocksize(int blocksize) {
        return blocksize >= 32 && blocksize <= 4096 && Integer.bitCount(blocksize) == 1;
    }

    public static void checkBlocksize(int blocksize) {
        if (!isValidBlocksize(blocksize)) {
            throw new IllegalArgumentException(
                    "blocksize " + blocksize + " is not one of 32, 64, 128, 256, 512, 1024, 2048, 4096");
        }
    }

    public static int packedLength(long n) {
        return Math.toIntExact((n + 1) / 2);
    }

    public static int blockCount(long n, int blocksize) {
        return Math.toIntExact((n + blocksize - 1) / blocksize);
    }

    /** Quantizes {@code in[0..n)} into {@code packed} ({@link #packedLength}) and {@code absmax} ({@link #blockCount}). */
    public static void quantize(float[] in, int n, int blocksize, FourBitType type, byte[] packed, float[] absmax) {
        int blocks = blockCount(n, blocksize);
        for (int b = 0; b < blocks; b++) {
            int start = b * blocksize;
            int end = Math.min(start + blocksize, n);
            float amax = 0f;
            for (int i = start; i < end; i++) {
                float a = Math.abs(in[i]);
                amax = a > amax ? a : amax; // like fmaxf: a NaN never wins
            }
            absmax[b] = amax;
            float inv = 1.0f / amax;
            for (int i = start; i < end; i += 2) {
                int q0 = type.quantize(in[i] * inv);
                int q1 = type.quantize((i + 1 < end ? in[i + 1] : 0f) * inv);
                packed[i / 2] = (byte) ((q0 << 4) | q1);
            }
        }
    }

    /** {@code out[i] = table[code(i)] * absmax[i / blocksize]} in float32. */
    public static void dequantize(byte[] packed, float[] absmax, float[] table, int n, int blocksize, float[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = table[code(packed, i)] * absmax[i / blocksize];
        }
    }

    /** The same values rounded to IEEE half, as raw bits. */
    public static void dequantizeHalf(byte[] packed, float[] absmax, float[] table, int n, int blocksize, short[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = HalfFloat.fromFloat(table[code(packed, i)] * absmax[i / blocksize]);
        }
    }

    /** The 4-bit index of element {@code i}: high nibble for even {@code i}, low nibble for odd. */
    public static int code(byte[] packed, int i) {
        int v = packed[i >> 1] & 0xff;
        return (i & 1) == 0 ? v >>> 4 : v & 0x0f;
    }
}
