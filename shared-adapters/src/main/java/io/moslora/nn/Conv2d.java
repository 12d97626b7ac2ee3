package io.moslora.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** 2-D convolution with PyTorch's layout ({@code weight [out, in/groups, kh, kw]}) and default init. */
public class Conv2d extends Module implements Layer {
    private final long in;
    private final long out;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int groups;
    private final boolean hasBias;

    public Conv2d(long in, long out, int kernel, int stride, int padding, boolean bias) {
        this(in, out, kernel, stride, padding, 1, bias);
    }

    public Conv2d(long in, long out, int kernel, int stride, int padding, int groups, boolean bias) {
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.groups = groups;
        this.hasBias = bias;
        long fanIn = in / groups * kernel * kernel;
        addParameter("weight", new Parameter(new Shape(out, in / groups, kernel, kernel), Init.kaimingUniform(fanIn)));
        if (bias) {
            addParameter("bias", new Parameter(new Shape(out), Init.kaimingUniform(fanIn)));
        }
    }

    public long inChannels() {
        return in;
    }

    public long outChannels() {
        return out;
    }

    public int kernelSize() {
        return kernel;
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray b = hasBias ? parameter("bias").array() : null;
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, parameter("weight").array(), b,
                        new Shape(stride, stride), new Shape(padding, padding), new Shape(1, 1), groups)
                .singletonOrThrow();
    }
}
