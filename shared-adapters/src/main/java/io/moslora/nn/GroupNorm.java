package io.moslora.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.moslora.engine.Ops;

/** Group normalisation over {@code [N, C, ...]} (diffusers' UNet and VAE), affine by default. */
public class GroupNorm extends Module implements Layer {
    private final int groups;
    private final double eps;

    public GroupNorm(int groups, long channels, double eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException("group norm: " + channels + " channels do not split into " + groups + " groups");
        }
        this.groups = groups;
        this.eps = eps;
        addParameter("weight", new Parameter(new Shape(channels), Init.ones()));
        addParameter("bias", new Parameter(new Shape(channels), Init.zeros()));
    }

    @Override
    public NDArray forward(NDArray x) {
        return Ops.groupNorm(x, groups, parameter("weight").array(), parameter("bias").array(), eps);
    }
}
