package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.moslora.engine.Ops;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;

/** transformers' {@code CLIPAttention} for the text tower: q/k/v/out projections with biases, causal attention. */
public final class ClipAttention extends Module {
    private final int heads;

    public ClipAttention(long hidden, int heads) {
        this.heads = heads;
        addChild("k_proj", new Linear(hidden, hidden, true));
        addChild("v_proj", new Linear(hidden, hidden, true));
        addChild("q_proj", new Linear(hidden, hidden, true));
        addChild("out_proj", new Linear(hidden, hidden, true));
    }

    /** x [B, L, hidden]; each token sees itself and the tokens before it. */
    public NDArray forward(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0), l = s.get(1), hidden = s.get(2);
        long d = hidden / heads;
        NDArray q = layer("q_proj").forward(x).reshape(b, l, heads, d).transpose(0, 2, 1, 3);
        NDArray k = layer("k_proj").forward(x).reshape(b, l, heads, d).transpose(0, 2, 1, 3);
        NDArray v = layer("v_proj").forward(x).reshape(b, l, heads, d).transpose(0, 2, 1, 3);
        NDArray o = Ops.sdpa(q, k, v, null, true, null).transpose(0, 2, 1, 3).reshape(b, l, hidden);
        return layer("out_proj").forward(o);
    }
}
