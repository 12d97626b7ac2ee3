package io.moslora.engine;

import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;

/**
 * A bf16 tensor made by the facade. DJL cannot name bf16 (it reports "unknown") and its own bf16 casts
 * abort the JVM, so this wrapper reports {@link DataType#BFLOAT16} (DJL's element readers then refuse it
 * with an exception) and routes {@code toType} through {@link Bf16Guard}.
 */
public final class Bf16NDArray extends PtNDArray {
    Bf16NDArray(PtNDManager manager, long handle) {
        super(manager, handle);
    }

    @Override
    public DataType getDataType() {
        return DataType.BFLOAT16;
    }

    @Override
    public PtNDArray toType(DataType dataType, boolean copy) {
        return (PtNDArray) Bf16Guard.toType(this, dataType);
    }
}
