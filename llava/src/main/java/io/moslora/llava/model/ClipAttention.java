package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;
import io.moslora.engine.Ops;
import io.moslora.nn.Layer;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;

/** CLIP's bidirectional multi-head attention: {@code q_proj, k_proj, v_proj, out_proj}, all with bias. */
final class ClipAttention extends Module implements Layer {
    private final int heads;
    private final int headDim;

    ClipAttention(int hidden, int heads) {
        this.heads = heads;
        this.headDim = hidden / heads;
        addChild("q_proj", new Linear(hidden, hidden, true));
        addChild("k_proj", new Linear(hidden, hidden, true));
        addChild("v_proj", new Linear(hidden, hidden, true));
        addChild("out_proj", new Linear(hidden, hidden, true));
    }

    /** x {@code [B, L, hidden]}; every patch sees every other (no mask), scaled by 1/√headDim. */
    @Override
    public NDArray forward(NDArray x) {
        long b = x.getShape().get(0);
        long len = x.getShape().get(1);
        NDArray q = splitHeads(layer("q_proj").forward(x), b, len);
        NDArray k = splitHeads(layer("k_proj").forward(x), b, len);
        NDArray v = splitHeads(layer("v_proj").forward(x), b, len);
        NDArray out = Ops.sdpa(q, k, v, null, false, null);
        return layer("out_proj").forward(out.transpose(0, 2, 1, 3).reshape(b, len, -1));
    }

    private NDArray splitHeads(NDArray t, long b, long len) {
        return t.reshape(b, len, heads, headDim).transpose(0, 2, 1, 3);
    }
}
