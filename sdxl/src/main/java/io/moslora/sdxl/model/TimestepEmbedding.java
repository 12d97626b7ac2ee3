package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import io.moslora.engine.Ops;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;

/** diffusers' {@code TimestepEmbedding}: {@code linear_2(silu(linear_1(x)))}, the MLP after the sinusoidal features. */
public final class TimestepEmbedding extends Module {
    public TimestepEmbedding(long in, long dim) {
        addChild("linear_1", new Linear(in, dim, true));
        addChild("linear_2", new Linear(dim, dim, true));
    }

    public NDArray forward(NDArray x) {
        return layer("linear_2").forward(Ops.silu(layer("linear_1").forward(x)));
    }
}
