package io.moslora.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * How a parameter gets its first values when it is materialized rather than loaded. Random draws come from the
 * engine's generator, which {@code Seeds} seeds, so a seed fixes every initial weight.
 */
@FunctionalInterface
public interface Init {
    NDArray create(NDManager manager, Shape shape, DataType dtype);

    static Init zeros() {
        return (m, s, d) -> m.zeros(s, d);
    }

    static Init ones() {
        return (m, s, d) -> m.ones(s, d);
    }

    static Init uniform(double bound) {
        return (m, s, d) -> m.randomUniform((float) -bound, (float) bound, s, DataType.FLOAT32).toType(d, false);
    }

    static Init normal(double std) {
        return (m, s, d) -> m.randomNormal(0f, (float) std, s, DataType.FLOAT32).toType(d, false);
    }

    /**
     * PyTorch's default for Linear/Conv weights: kaiming_uniform with a=√5, which works out to U(±1/√fan_in).
     * The same bound is PyTorch's default for their biases.
     */
    static Init kaimingUniform(long fanIn) {
        return uniform(1.0 / Math.sqrt(fanIn));
    }
}
