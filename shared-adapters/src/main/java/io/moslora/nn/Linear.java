package io.moslora.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code y = x·Wᵀ + b} with PyTorch's layout ({@code weight [out, in]}) and default initialisation. */
public class Linear extends Module implements LinearLayer {
    private final long in;
    private final long out;
    private final boolean hasBias;

    public Linear(long in, long out, boolean bias) {
        this(in, out, bias, Init.kaimingUniform(in));
    }

    /** A linear layer whose weight starts from {@code weightInit} (adapters: zero B, gaussian A, mixers). */
    public Linear(long in, long out, boolean bias, Init weightInit) {
        this.in = in;
        this.out = out;
        this.hasBias = bias;
        addParameter("weight", new Parameter(new Shape(out, in), weightInit));
        if (bias) {
            addParameter("bias", new Parameter(new Shape(out), Init.kaimingUniform(in)));
        }
    }

    @Override
    public long inFeatures() {
        return in;
    }

    @Override
    public long outFeatures() {
        return out;
    }

    public boolean hasBias() {
        return hasBias;
    }

    public Parameter weight() {
        return parameter("weight");
    }

    @Override
    public NDArray denseWeight() {
        return weight().array();
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray w = weight().array();
        NDArray b = hasBias ? parameter("bias").array() : null;
        return io.moslora.engine.Ops.linear(x, w, b);
    }
}
