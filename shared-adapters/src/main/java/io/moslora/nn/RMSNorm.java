package io.moslora.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.moslora.engine.Ops;

/** LLaMA's RMSNorm: {@code x · rsqrt(mean(x²) + eps) · weight}, normalised in float32. */
public class RMSNorm extends Module implements Layer {
    private final double eps;

    public RMSNorm(long dim, double eps) {
        this.eps = eps;
        addParameter("weight", new Parameter(new Shape(dim), Init.ones()));
    }

    @Override
    public NDArray forward(NDArray x) {
        return Ops.rmsNorm(x, parameter("weight").array(), eps);
    }
}
