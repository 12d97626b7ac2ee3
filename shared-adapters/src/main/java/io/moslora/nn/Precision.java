package io.moslora.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.moslora.engine.Bf16Guard;
import io.moslora.engine.Dispatcher;
import io.moslora.engine.Ops;
import java.util.Locale;

/**
 * The number type a frozen base is stored and multiplied in. {@link #FP32} changes nothing; the half types keep
 * frozen weights in 2 bytes and compute their products there, while everything trained stays fp32 (PEFT / QLoRA
 * practice). bf16 never meets a DJL cast: it goes through {@link Ops#toBf16} and {@link Bf16Guard}.
 */
public enum Precision {
    FP32(DataType.FLOAT32),
    FP16(DataType.FLOAT16),
    BF16(DataType.BFLOAT16);

    private final DataType storage;

    Precision(DataType storage) {
        this.storage = storage;
    }

    /** {@code fp32}, {@code fp16} or {@code bf16} (case-insensitive); null when the name is none of them. */
    public static Precision parseOrNull(String name) {
        for (Precision p : values()) {
            if (p.configName().equals(name.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        return null;
    }

    /** The name in config files. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isHalf() {
        return this != FP32;
    }

    /** The dtype frozen weights are kept in. */
    public DataType storageType() {
        return storage;
    }

    /** {@code x} in this precision's type (itself when it already is); differentiable. */
    public NDArray narrow(NDArray x) {
        if (Bf16Guard.dataType(x) == storage) {
            return x;
        }
        if (this == BF16) {
            return Ops.toBf16(x);
        }
        // through the dispatcher, not DJL's toType: measured here, DJL's cast drops the autograd link to x
        return Dispatcher.op("aten::to", "dtype").tensor(x)
                .scalarType(this == FP16 ? Dispatcher.SCALAR_HALF : Dispatcher.SCALAR_FLOAT)
                .bool(false).bool(false).none().call(x.getManager());
    }

    /** {@code x} widened to float32 (itself when it already is); differentiable, safe for bf16. */
    public static NDArray widen(NDArray x) {
        return Bf16Guard.dataType(x) == DataType.FLOAT32 ? x : Ops.fromBf16(x);
    }
}
