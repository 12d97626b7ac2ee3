package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;
import io.moslora.engine.Ops;
import io.moslora.nn.RotaryEmbedding;

/**
 * What LLaMA and InternLM2 attention share once q, k and v are split into heads: rotary positions, the KV cache,
 * grouped-query expansion, and fused scaled-dot-product attention.
 */
final class AttentionCore {
    private AttentionCore() {}

    /**
     * @param q {@code [B, L, H, D]}; k, v {@code [B, L, KV, D]}
     * @return {@code [B, L, H·D]}
     */
    static NDArray attend(NDArray q, NDArray k, NDArray v, AttentionContext ctx, int layer) {
        long b = q.getShape().get(0);
        long len = q.getShape().get(1);
        long heads = q.getShape().get(2);
        long kvHeads = k.getShape().get(2);
        q = RotaryEmbedding.apply(q.transpose(0, 2, 1, 3), ctx.rope().get(0), ctx.rope().get(1));
        k = RotaryEmbedding.apply(k.transpose(0, 2, 1, 3), ctx.rope().get(0), ctx.rope().get(1));
        v = v.transpose(0, 2, 1, 3);
        if (ctx.cache() != null) {
            NDArray[] kv = ctx.cache().append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        if (heads != kvHeads) {
            // each KV head serves heads/kvHeads query heads (GQA): repeat_interleave along the head axis
            k = k.repeat(1, heads / kvHeads);
            v = v.repeat(1, heads / kvHeads);
        }
        NDArray out = Ops.sdpa(q, k, v, ctx.mask(), ctx.causal(), null);
        return out.transpose(0, 2, 1, 3).reshape(b, len, -1);
    }
}
