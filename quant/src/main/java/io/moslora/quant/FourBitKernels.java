package io.moslora.quant;

import java.nio.ByteBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.ShortPointer;

/**
 * The blockwise 4-bit kernels behind one interface: the native (JavaCPP, OpenMP) implementation when its
 * library loads, the Java reference otherwise. Both give identical bits (tested).
 */
public interface FourBitKernels {

    String name();

    void quantize(float[] in, int n, int blocksize, FourBitType type, byte[] packed, float[] absmax);

    void dequantize(byte[] packed, float[] absmax, float[] table, int n, int blocksize, float[] out);

    void dequantizeHalf(byte[] packed, float[] absmax, float[] table, int n, int blocksize, short[] out);

    /**
     * Dequantizes into {@code out}, a native-order direct buffer over a tensor's storage: float32, or IEEE half
     * when {@code half}. The native kernels write there directly; the Java ones go through an array.
     */
    default void dequantizeInto(byte[] packed, float[] absmax, float[] table, int n, int blocksize, ByteBuffer out,
            boolean half) {
        if (half) {
            short[] values = new short[n];
            dequantizeHalf(packed, absmax, table, n, blocksize, values);
            out.asShortBuffer().put(values);
        } else {
            float[] values = new float[n];
            dequantize(packed, absmax, table, n, blocksize, values);
            out.asFloatBuffer().put(values);
        }
    }

    /** The native kernels if their library loads here, else the Java ones. */
    static FourBitKernels best() {
        return NativeHolder.NATIVE != null ? NativeHolder.NATIVE : JAVA;
    }

    /** The native kernels, or null when the library is not available on this machine. */
    static FourBitKernels nativeOrNull() {
        return NativeHolder.NATIVE;
    }

    FourBitKernels JAVA = new FourBitKernels() {
        @Override
        public String name() {
            return "java";
        }

        @Override
        public void quantize(float[] in, int n, int blocksize, FourBitType type, byte[] packed, float[] absmax) {
            Nf4Codec.quantize(in, n, blocksize, type, packed, absmax);
        }

        @Override
        public void dequantize(byte[] packed, float[] absmax, float[] table, int n, int blocksize, float[] out) {
            Nf4Codec.dequantize(packed, absmax, table, n, blocksize, out);
        }

        @Override
        public void dequantizeHalf(byte[] packed, float[] absmax, float[] table, int n, int blocksize, short[] out) {
            Nf4Codec.dequantizeHalf(packed, absmax, table, n, blocksize, out);
        }
    };

    /** Loads the library lazily, once; a failure (no library for this platform) leaves NATIVE null. */
    final class NativeHolder {
        static final FourBitKernels NATIVE = load();

        private NativeHolder() {}

        private static FourBitKernels load() {
            try {
                NativeFourBitKernels.max_threads();
            } catch (Throwable unavailable) {
                return null;
            }
            return new FourBitKernels() {
                @Override
                public String name() {
                    return "native";
                }

                @Override
                public void quantize(float[] in, int n, int blocksize, FourBitType type, byte[] packed,
                        float[] absmax) {
                    NativeFourBitKernels.quantize4bit(in, n, blocksize, type.kernelId(), packed, absmax);
                }

                @Override
                public void dequantize(byte[] packed, float[] absmax, float[] table, int n, int blocksize,
                        float[] out) {
                    NativeFourBitKernels.dequantize4bit_f32(packed, absmax, table, n, blocksize, out);
                }

                @Override
                public void dequantizeHalf(byte[] packed, float[] absmax, float[] table, int n, int blocksize,
                        short[] out) {
                    NativeFourBitKernels.dequantize4bit_f16(packed, absmax, table, n, blocksize, out);
                }

                @Override
                public void dequantizeInto(byte[] packed, float[] absmax, float[] table, int n, int blocksize,
                        ByteBuffer out, boolean half) {
                    if (!out.isDirect()) { // the kernel writes through the buffer's address
                        throw new IllegalArgumentException("native dequantizeInto needs a direct buffer");
                    }
                    if (half) {
                        try (ShortPointer dst = new ShortPointer(out.asShortBuffer())) {
                            NativeFourBitKernels.dequantize4bit_f16(packed, absmax, table, n, blocksize, dst);
                        }
                    } else {
                        try (FloatPointer dst = new FloatPointer(out.asFloatBuffer())) {
                            NativeFourBitKernels.dequantize4bit_f32(packed, absmax, table, n, blocksize, dst);
                        }
                    }
                }
            };
        }
    }
}
