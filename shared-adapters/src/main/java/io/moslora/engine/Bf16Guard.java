package io.moslora.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The only doors through which bf16 enters or leaves DJL arrays. DJL 0.36 aborts the whole JVM (no
 * exception) when asked to cast to or create bf16; these methods either do the work through libtorch's
 * dispatcher or throw {@link EngineException}.
 */
public final class Bf16Guard {
    private Bf16Guard() {}

    /** True when the tensor's torch dtype is bf16 (asked from libtorch, since DJL cannot tell). */
    public static boolean isBf16(NDArray x) {
        return x instanceof Bf16NDArray || Dispatcher.scalarTypeOf(x) == Dispatcher.SCALAR_BFLOAT16;
    }

    /** Throws unless {@code type} is safe to hand to a DJL factory or cast; {@code what} names the caller. */
    public static DataType requireDjlSafe(DataType type, String what) {
        if (type == DataType.BFLOAT16) {
            throw new EngineException(what + ": bf16 cannot go through DJL (it aborts the JVM); "
                    + "use Bf16Guard/Ops.toBf16 or widen to float32");
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
     * {@code manager.create(data, shape, type)} that also accepts bf16: the little-endian bf16 bits are
     * loaded as int16 and reinterpreted in place by libtorch (no widening, no copy).
     */
    public static NDArray create(NDManager manager, ByteBuffer data, Shape shape, DataType type) {
        if (type != DataType.BFLOAT16) {
            return manager.create(data, shape, type);
        }
        ByteBuffer le = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (le.remaining() != shape.size() * 2) {
            throw new EngineException("bf16 data has " + le.remaining() + " bytes, shape " + shape + " needs "
                    + shape.size() * 2);
        }
        try (NDArray bits = manager.create(le, shape, DataType.INT16);
                NDArray view = Dispatcher.op("aten::view", "dtype").tensor(bits)
                        .scalarType(Dispatcher.SCALAR_BFLOAT16).call(manager)) {
            // a copy, so that the result owns its storage instead of sharing the int16 temporary's
            return Dispatcher.op("aten::clone", "").tensor(view).none().callBf16(manager);
        }
    }

    /** The raw little-endian bf16 bits of a bf16 tensor, two bytes per element. */
    public static ByteBuffer toBytes(NDArray bf16) {
        if (!isBf16(bf16)) {
            throw new EngineException("toBytes expects a bf16 tensor");
        }
        try (NDArray bits = Dispatcher.op("aten::view", "dtype").tensor(bf16)
                .scalarType(Dispatcher.SCALAR_INT16).call(bf16.getManager())) {
            return bits.toByteBuffer();
        }
    }
}
