package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;

/**
 * InternLM2 attention: one fused {@code wqkv} whose output rows are grouped per KV head — for each KV head, its
 * {@code heads/kvHeads} query heads, then its key head, then its value head — and {@code wo}.
 */
final class InternLM2Attention extends Module implements SelfAttention {
    private final int heads;
    private final int kvHeads;
    private final int headDim;

    InternLM2Attention(int hidden, int heads, int kvHeads, int headDim, boolean bias) {
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        addChild("wqkv", new Linear(hidden, (long) (heads + 2 * kvHeads) * headDim, bias));
        addChild("wo", new Linear((long) heads * headDim, hidden, bias));
    }

    @Override
    public NDArray forward(NDArray x, AttentionContext ctx, int layer) {
        long b = x.getShape().get(0);
        long len = x.getShape().get(1);
        int groups = heads / kvHeads;
        NDArray qkv = layer("wqkv").forward(x).reshape(b, len, kvHeads, groups + 2, headDim);
        NDArray q = qkv.get(new NDIndex(":, :, :, :{}, :", groups)).reshape(b, len, heads, headDim);
        NDArray k = qkv.get(new NDIndex(":, :, :, {}, :", groups));
        NDArray v = qkv.get(new NDIndex(":, :, :, {}, :", groups + 1));
        return layer("wo").forward(AttentionCore.attend(q, k, v, ctx, layer));
    }
}
