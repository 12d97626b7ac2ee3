package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.moslora.engine.Ops;
import io.moslora.nn.Container;
import io.moslora.nn.Layer;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;

/**
 * diffusers' {@code FeedForward} with the GEGLU activation ({@code ff.net.0.proj}, {@code ff.net.2}): one projection
 * to twice the inner width, split into a value half and a gate half, {@code value · gelu(gate)}, then back down.
 * The inner width is 4× the model width; {@code net.1} is a parameter-free dropout.
 */
public final class GegluFeedForward extends Module {
    public GegluFeedForward(long dim) {
        long inner = dim * 4;
        Container net = addChild("net", new Container());
        Container geglu = net.addChild("0", new Container());
        geglu.addChild("proj", new Linear(dim, inner * 2, true));
        net.addChild("2", new Linear(inner, dim, true));
    }

    public NDArray forward(NDArray x) {
        NDArray both = ((Layer) get("net.0.proj")).forward(x);
        NDList halves = both.split(2, both.getShape().dimension() - 1);
        NDArray hidden = halves.get(0).mul(Ops.gelu(halves.get(1)));
        return ((Layer) get("net.2")).forward(hidden);
    }
}
