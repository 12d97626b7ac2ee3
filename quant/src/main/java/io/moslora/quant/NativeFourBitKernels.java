package io.moslora.quant;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.CriticalRegion;
import org.bytedeco.javacpp.annotation.Namespace;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JNI binding of {@code src/main/cpp/fourbit_kernels.h}, compiled with gcc and OpenMP by the JavaCPP plugin
 * during {@code process-classes}. Arrays are pinned ({@link CriticalRegion}), not copied. Use it through
 * {@link FourBitKernels}, which falls back to Java when the library cannot load.
 */
@Platform(include = "fourbit_kernels.h")
@Namespace("moslora")
public final class NativeFourBitKernels {
    static {
        Loader.load();
    }

    private NativeFourBitKernels() {}

    @CriticalRegion
    public static native void quantize4bit(float[] in, long n, int blocksize, int type,
            @Cast("uint8_t*") byte[] packed, float[] absmax);

    @CriticalRegion
    public static native void dequantize4bit_f32(@Cast("const uint8_t*") byte[] packed, float[] absmax,
            float[] table, long n, int blocksize, float[] out);

    @CriticalRegion
    public static native void dequantize4bit_f16(@Cast("const uint8_t*") byte[] packed, float[] absmax,
            float[] table, long n, int blocksize, @Cast("uint16_t*") short[] out);

    /** The same kernel writing into native memory (a tensor's storage), so no Java array sits in between. */
    @CriticalRegion
    public static native void dequantize4bit_f32(@Cast("const uint8_t*") byte[] packed, float[] absmax,
            float[] table, long n, int blocksize, FloatPointer out);

    @CriticalRegion
    public static native void dequantize4bit_f16(@Cast("const uint8_t*") byte[] packed, float[] absmax,
            float[] table, long n, int blocksize, @Cast("uint16_t*") ShortPointer out);

    @CriticalRegion
    public static native void copy_bytes(@Cast("const uint8_t*") byte[] src, @Cast("uint8_t*") byte[] dst, long n);

    public static native int max_threads();

    /** Threads the kernels use from now on (OpenMP's team size). */
    public static native void set_max_threads(int n);
}
