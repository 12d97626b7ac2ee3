package io.moslora.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The only doors through which bf16 enters or leaves DJL arrays. DJL 0.36 aborts the whole JVM (no
 * exception) when asked to cast to or create bf16 (and, measured here, to create int16); these methods
 * either do the work through libtorch's dispatcher or throw {@link EngineException}.
 */
public final class Bf16Guard {
    private Bf16Guard() {}

    /** True when the tensor's torch dtype is bf16 (asked from libtorch, since DJL cannot tell). */
    public static boolean isBf16(NDArray x) {
        return x instanceof Bf16NDArray || Dispatcher.scalarTypeOf(x) == Dispatcher.SCALAR_BFLOAT16;
    }

    /**
     * Returns {@code x} itself unless it is a bf16 array DJL does not know as such (a DJL operator's
     * result on bf16 inputs; dispatcher results are wrapped already); then an alias wrapped as
     * {@link Bf16NDArray} (the original is closed).
     */
    public static NDArray safe(NDArray x) {
        if (x instanceof Bf16NDArray || !isBf16(x)) {
            return x;
        }
        NDArray wrapped = Dispatcher.op("aten::alias", "").tensor(x).call(x.getManager());
        x.close();
        return wrapped;
    }

    /** Like {@code x.getDataType()}, but names bf16 (DJL says "unknown" for a plain array holding bf16). */
    public static DataType dataType(NDArray x) {
        return isBf16(x) ? DataType.BFLOAT16 : x.getDataType();
    }

    /** Throws unless {@code type} is safe to hand to a DJL factory or cast; {@code what} names the caller. */
    public static DataType requireDjlSafe(DataType type, String what) {
        if (type == DataType.BFLOAT16) {
            throw new EngineException(what + ": bf16 cannot go through DJL (it aborts the JVM); "
                    + "use Bf16Guard/Ops.toBf16 or widen to float32");
        }
        if (type == DataType.INT16) {
            throw new EngineException(what + ": int16 cannot go through DJL (it aborts the JVM); "
                    + "use Bf16Guard.create, which widens it to int32");
        }
        return type;
    }

    /** {@code x.toType(type)} that is safe for bf16 on either side. */
    public static NDArray toType(NDArray x, DataType type) {
        boolean fromBf16 = isBf16(x);
        if (type == DataType.BFLOAT16) {
            return fromBf16 ? x : Ops.toBf16(x);
        }
        if (fromBf16) {
            NDArray wide = Ops.fromBf16(x);
            return type == DataType.FLOAT32 ? wide : wide.toType(type, false);
        }
        return x.toType(type, false);
    }

    /**
     * {@code manager.create(data, shape, type)} that also accepts the 16-bit types DJL aborts on: bf16
     * stays bf16 (a {@link Bf16NDArray}), int16 is widened to int32. Their little-endian bytes are loaded
     * as fp16 (which DJL handles) and relabelled by libtorch, so no bit pattern changes on the way.
     */
    public static NDArray create(NDManager manager, ByteBuffer data, Shape shape, DataType type) {
        if (type != DataType.BFLOAT16 && type != DataType.INT16) {
            return OwnedArrays.create(manager, data, shape, type);
        }
        ByteBuffer le = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (le.remaining() != shape.size() * 2) {
            throw new EngineException(type + " data has " + le.remaining() + " bytes, shape " + shape + " needs "
                    + shape.size() * 2);
        }
        boolean bf16 = type == DataType.BFLOAT16;
        try (NDArray bits = OwnedArrays.create(manager, le, shape, DataType.FLOAT16);
                NDArray view = Dispatcher.op("aten::view", "dtype").tensor(bits)
                        .scalarType(bf16 ? Dispatcher.SCALAR_BFLOAT16 : Dispatcher.SCALAR_SHORT).call(manager)) {
            if (bf16) {
                // a copy, so that the result owns its storage instead of sharing the fp16 temporary's
                return Dispatcher.op("aten::clone", "").tensor(view).none().call(manager);
            }
            return Dispatcher.op("aten::to", "dtype").tensor(view).scalarType(Dispatcher.SCALAR_INT)
                    .bool(false).bool(true).none().call(manager);
        }
    }

    /** The raw little-endian bf16 bits of a bf16 tensor, two bytes per element. */
    public static ByteBuffer toBytes(NDArray bf16) {
        if (!isBf16(bf16)) {
            throw new EngineException("toBytes expects a bf16 tensor");
        }
        try (NDArray bits = Dispatcher.op("aten::view", "dtype").tensor(bf16)
                .scalarType(Dispatcher.SCALAR_HALF).call(bf16.getManager())) {
            return bits.toByteBuffer();
        }
    }
}
