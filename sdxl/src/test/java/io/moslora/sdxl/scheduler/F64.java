package io.moslora.sdxl.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Float64 arrays for tests that pin scheduler math to 1e-12. */
final class F64 {
    private F64() {}

    static NDArray constant(NDManager m, double value, long... shape) {
        Shape s = new Shape(shape);
        double[] data = new double[(int) s.size()];
        java.util.Arrays.fill(data, value);
        return m.create(data, s);
    }

    static NDArray of(NDManager m, double... values) {
        return m.create(values);
    }
}
