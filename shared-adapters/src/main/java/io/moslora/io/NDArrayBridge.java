package io.moslora.io;

import io.moslora.engine.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Moves tensors between safetensors and DJL. The one rule that matters: no BFLOAT16 or INT16 DJL array is ever
 * created (DJL 0.36's PyTorch engine aborts the JVM on both, measured), so BF16 data is widened to FLOAT32 and
 * I16 to INT32 in Java before DJL sees them.
 */
public final class NDArrayBridge {
    private NDArrayBridge() {}

    static {
        // tensor bytes are handed to the engine as they lie in the file; that is only right on little-endian hosts
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new ExceptionInInitializerError("safetensors interop needs a little-endian machine");
        }
    }

    /** DJL types this bridge never creates: they abort the JVM (BFLOAT16, INT16) or are untested there. */
    private static final java.util.Set<DataType> UNSAFE_IN_DJL = java.util.EnumSet.of(DataType.BFLOAT16,
            DataType.INT16, DataType.UINT16, DataType.UINT32, DataType.UINT64);

    /** The DJL type a dtype loads as by default: itself, except BF16 (becomes FLOAT32) and I16 (INT32). */
    public static DataType naturalType(DType dtype) {
        return switch (dtype) {
            case F64 -> DataType.FLOAT64;
            case F32, BF16 -> DataType.FLOAT32;
            case F16 -> DataType.FLOAT16;
            case I64 -> DataType.INT64;
            case I32 -> DataType.INT32;
            case I16 -> DataType.INT32;
            case I8 -> DataType.INT8;
            case U8 -> DataType.UINT8;
            case BOOL -> DataType.BOOLEAN;
        };
    }

    /** The safetensors dtype a DJL array is stored as. */
    public static DType dtypeOf(DataType type) {
        return switch (type) {
            case FLOAT64 -> DType.F64;
            case FLOAT32 -> DType.F32;
            case FLOAT16 -> DType.F16;
            case INT64 -> DType.I64;
            case INT32 -> DType.I32;
            case INT8 -> DType.I8;
            case UINT8 -> DType.U8;
            case BOOLEAN -> DType.BOOL;
            default -> throw new IllegalArgumentException("DJL type " + type + " has no safetensors dtype here");
        };
    }

    /**
     * Loads tensor {@code name} as a DJL array of {@code target}: the same type copies the bytes; float targets
     * (FLOAT32, FLOAT16, FLOAT64) accept any dtype; INT64 and INT32 accept integer dtypes that fit. Anything that
     * would silently lose integers (a float tensor as INT64) is refused with the file and tensor named.
     */
    public static NDArray load(NDManager manager, TensorReader reader, String name, DataType target) {
        if (UNSAFE_IN_DJL.contains(target)) {
            throw new IllegalArgumentException("refusing to create a " + target.name() + " DJL array for " + name
                    + ": DJL's PyTorch engine aborts the JVM on it; load it as FLOAT32, FLOAT16 or INT32");
        }
        TensorInfo info = reader.info(name);
        DType source = info.dtype();
        Shape shape = new Shape(info.shape());
        boolean sameLayout = source != DType.BF16 && source != DType.I16 && naturalType(source) == target;
        if (sameLayout) {
            return fromLittleEndianBytes(manager, reader.rawBytes(name), shape, target);
        }
        switch (target) {
            case FLOAT32:
                return OwnedArrays.create(manager, reader.readFloats(name), shape);
            case FLOAT16:
                if (source.isFloatingPoint()) {
                    float[] values = reader.readFloats(name);
                    ByteBuffer half = manager.allocateDirect(values.length * 2);
                    TensorCodec.encodeFloats(values, 0, values.length, DType.F16, half);
                    return OwnedArrays.create(manager, half.rewind(), shape, DataType.FLOAT16);
                }
                break;
            case FLOAT64: {
                double[] values = new double[Math.toIntExact(info.numel())];
                if (source.isFloatingPoint()) {
                    float[] f = reader.readFloats(name); // F64 took the byte-copy path above; the rest is exact
                    for (int i = 0; i < values.length; i++) {
                        values[i] = f[i];
                    }
                } else {
                    long[] l = reader.readLongs(name);
                    for (int i = 0; i < values.length; i++) {
                        values[i] = l[i];
                    }
                }
                return OwnedArrays.create(manager, values, shape);
            }
            case INT64:
                if (!source.isFloatingPoint()) {
                    return OwnedArrays.create(manager, reader.readLongs(name), shape);
                }
                break;
            case INT32:
                if (!source.isFloatingPoint() && source != DType.I64) {
                    long[] l = reader.readLongs(name);
                    int[] values = new int[l.length];
                    for (int i = 0; i < l.length; i++) {
                        values[i] = (int) l[i]; // I32, I16, I8, U8, BOOL all fit
                    }
                    return OwnedArrays.create(manager, values, shape);
                }
                break;
            default:
                break;
        }
        throw new SafetensorsException(reader.fileOf(name), "tensor " + SafetensorsException.quote(name) + " is "
                + source.safetensorsName() + " and cannot be loaded as " + target.name() + " without losing values");
    }

    /** Copies the bytes into engine-owned memory (never shares a read-only file mapping with the engine). */
    private static NDArray fromLittleEndianBytes(NDManager manager, ByteBuffer bytes, Shape shape, DataType type) {
        ByteBuffer copy = manager.allocateDirect(bytes.remaining());
        copy.put(bytes.duplicate());
        return OwnedArrays.create(manager, copy.rewind(), shape, type);
    }

    /** The array's bytes in the layout safetensors stores (row-major, little-endian), copied off the device. */
    public static ByteBuffer toLittleEndianBytes(NDArray array) {
        if (UNSAFE_IN_DJL.contains(array.getDataType())) {
            throw new IllegalArgumentException(array.getDataType().name() + " DJL arrays are not supported (the engine"
                    + " aborts the JVM on them)");
        }
        return array.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }
}
