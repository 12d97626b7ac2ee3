package io.moslora.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Turns a tensor's little-endian bytes into Java values and back; one place for every dtype's encoding. */
public final class TensorCodec {
    private TensorCodec() {}

    private static int count(TensorInfo info, ByteBuffer bytes) {
        long n = info.numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(info.name() + " has " + n + " elements, too many for one Java array");
        }
        if (bytes.remaining() != n * info.dtype().byteSize()) {
            throw new IllegalArgumentException(info.name() + ": " + bytes.remaining() + " bytes for " + n + " elements of "
                    + info.dtype().safetensorsName());
        }
        return (int) n;
    }

    /** Every dtype as float: F16, BF16, F32 exactly; F64 and integers beyond 2^24 rounded; BOOL as 0 or 1. */
    public static float[] toFloats(TensorInfo info, ByteBuffer bytes) {
        int n = count(info, bytes);
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[n];
        switch (info.dtype()) {
            case F32 -> b.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.f16ToFloat(b.getShort());
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.bf16ToFloat(b.getShort());
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble();
                }
            }
            default -> {
                long[] longs = toLongs(info, bytes);
                for (int i = 0; i < n; i++) {
                    out[i] = longs[i];
                }
            }
        }
        return out;
    }

    /** Integer and BOOL dtypes exactly (U8 unsigned, BOOL as 0/1); float dtypes are refused. */
    public static long[] toLongs(TensorInfo info, ByteBuffer bytes) {
        int n = count(info, bytes);
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[n];
        switch (info.dtype()) {
            case I64 -> b.asLongBuffer().get(out);
            case I32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getInt();
                }
            }
            case I16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getShort();
                }
            }
            case I8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get();
                }
            }
            case U8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get() & 0xff;
                }
            }
            case BOOL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get() != 0 ? 1 : 0;
                }
            }
            default -> throw new IllegalArgumentException(info.name() + " is " + info.dtype().safetensorsName()
                    + ", not an integer dtype");
        }
        return out;
    }

    /**
     * Encodes {@code values[from, to)} as {@code dtype} (F32, F16 or BF16; F16/BF16 round to nearest even)
     * into {@code out}, which must have room for them.
     */
    public static void encodeFloats(float[] values, int from, int to, DType dtype, ByteBuffer out) {
        ByteBuffer b = out.order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> {
                for (int i = from; i < to; i++) {
                    b.putFloat(values[i]);
                }
            }
            case F16 -> {
                for (int i = from; i < to; i++) {
                    b.putShort(HalfFloats.floatToF16(values[i]));
                }
            }
            case BF16 -> {
                for (int i = from; i < to; i++) {
                    b.putShort(HalfFloats.floatToBf16(values[i]));
                }
            }
            default -> throw new IllegalArgumentException("floats can be stored as F32, F16 or BF16, not "
                    + dtype.safetensorsName());
        }
    }
}
