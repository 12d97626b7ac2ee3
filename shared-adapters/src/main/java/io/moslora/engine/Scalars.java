package io.moslora.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Arithmetic between an array and a Java number that stays correct under autograd. The only way project code
 * multiplies, divides or raises an array by a number (a source-scanning test keeps it so).
 *
 * <p>Why: DJL's {@code x.mul(Number)} wraps the number in a 0-dim tensor over a Java direct buffer
 * ({@code from_blob}, see {@link OwnedArrays}) and closes it straight after the op. Autograd keeps that tensor
 * for the backward pass (mul, div and pow save their other operand); once the GC frees the buffer, backward
 * reads freed memory. Measured: the gradient of {@code sum(w * 3)} came back as 1.4e-45, -1.1e27 or 0 in 9 of 20
 * trials with a GC between forward and backward — the cause of NaN losses in DreamBooth and of runs that did not
 * repeat. The scalars made here are allocated by libtorch, so a saved reference keeps them alive.
 */
public final class Scalars {
    private Scalars() {}

    /** {@code value} as a 0-dim array in {@code like}'s manager and dtype (FLOAT32 for integer arrays). */
    public static NDArray of(NDArray like, double value) {
        DataType type = like.getDataType().isFloating() ? like.getDataType() : DataType.FLOAT32;
        return JniUtils.full((PtNDManager) like.getManager(), new Shape(), value, type, like.getDevice(),
                SparseFormat.DENSE);
    }

    public static NDArray mul(NDArray x, double value) {
        try (NDArray s = of(x, value)) {
            return x.mul(s);
        }
    }

    public static NDArray div(NDArray x, double value) {
        try (NDArray s = of(x, value)) {
            return x.div(s);
        }
    }

    public static NDArray pow(NDArray x, double exponent) {
        try (NDArray s = of(x, exponent)) {
            return x.pow(s);
        }
    }

    public static NDArray maximum(NDArray x, double value) {
        try (NDArray s = of(x, value)) {
            return x.maximum(s);
        }
    }

    /** In place: {@code x *= value}; returns {@code x}. */
    public static NDArray muli(NDArray x, double value) {
        try (NDArray s = of(x, value)) {
            return x.muli(s);
        }
    }

    /** In place: {@code x /= value}; returns {@code x}. */
    public static NDArray divi(NDArray x, double value) {
        try (NDArray s = of(x, value)) {
            return x.divi(s);
        }
    }
}
