package io.moslora.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.moslora.engine.Ops;

/** Layer normalisation over the last dimension, with weight and (optionally) bias. */
public class LayerNorm extends Module implements Layer {
    private final double eps;
    private final boolean hasBias;

    public LayerNorm(long dim, double eps) {
        this(dim, eps, true);
    }

    public LayerNorm(long dim, double eps, boolean bias) {
        this.eps = eps;
        this.hasBias = bias;
        addParameter("weight", new Parameter(new Shape(dim), Init.ones()));
        if (bias) {
            addParameter("bias", new Parameter(new Shape(dim), Init.zeros()));
        }
    }

    @Override
    public NDArray forward(NDArray x) {
        return Ops.layerNorm(x, parameter("weight").array(), hasBias ? parameter("bias").array() : null, eps);
    }
}
