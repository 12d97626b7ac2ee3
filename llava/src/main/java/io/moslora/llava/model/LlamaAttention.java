package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;

/** LLaMA attention: separate {@code q_proj, k_proj, v_proj, o_proj}, grouped-query heads. */
final class LlamaAttention extends Module implements SelfAttention {
    private final int heads;
    private final int kvHeads;
    private final int headDim;

    LlamaAttention(int hidden, int heads, int kvHeads, int headDim, boolean bias) {
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        addChild("q_proj", new Linear(hidden, (long) heads * headDim, bias));
        addChild("k_proj", new Linear(hidden, (long) kvHeads * headDim, bias));
        addChild("v_proj", new Linear(hidden, (long) kvHeads * headDim, bias));
        addChild("o_proj", new Linear((long) heads * headDim, hidden, bias));
    }

    @Override
    public NDArray forward(NDArray x, AttentionContext ctx, int layer) {
        long b = x.getShape().get(0);
        long len = x.getShape().get(1);
        NDArray q = layer("q_proj").forward(x).reshape(b, len, heads, headDim);
        NDArray k = layer("k_proj").forward(x).reshape(b, len, kvHeads, headDim);
        NDArray v = layer("v_proj").forward(x).reshape(b, len, kvHeads, headDim);
        return layer("o_proj").forward(AttentionCore.attend(q, k, v, ctx, layer));
    }
}
