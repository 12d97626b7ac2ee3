package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.moslora.engine.Ops;
import io.moslora.nn.Container;
import io.moslora.nn.Layer;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;

/**
 * diffusers' {@code Attention} over token sequences: {@code to_q}, {@code to_k}, {@code to_v} and {@code to_out.0},
 * scaled-dot-product attention in {@code heads} heads of width {@code headDim}. Keys and values come from
 * {@code context} (cross-attention, the text) or from the input itself. These four projections are what
 * DreamBooth LoRA adapts; they are looked up by name on every call so injected adapters take effect.
 */
public class Attention extends Module {
    private final int heads;
    private final int headDim;

    /**
     * @param contextDim width of the keys' source (the query width for self-attention)
     * @param qkvBias SDXL's UNet has none on q/k/v; the VAE's mid-block attention has them
     */
    public Attention(long queryDim, long contextDim, int heads, int headDim, boolean qkvBias) {
        this.heads = heads;
        this.headDim = headDim;
        long inner = (long) heads * headDim;
        addChild("to_q", new Linear(queryDim, inner, qkvBias));
        addChild("to_k", new Linear(contextDim, inner, qkvBias));
        addChild("to_v", new Linear(contextDim, inner, qkvBias));
        Container out = addChild("to_out", new Container());
        out.addChild("0", new Linear(inner, queryDim, true)); // to_out.1 is a parameter-free dropout
    }

    /** x [B, L, queryDim], context [B, S, contextDim] or null → [B, L, queryDim]. */
    public NDArray forward(NDArray x, NDArray context) {
        NDArray source = context == null ? x : context;
        NDArray q = splitHeads(layer("to_q").forward(x));
        NDArray k = splitHeads(layer("to_k").forward(source));
        NDArray v = splitHeads(layer("to_v").forward(source));
        NDArray o = Ops.sdpa(q, k, v, null, false, null);
        Shape s = o.getShape(); // [B, H, L, D]
        NDArray merged = o.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), (long) heads * headDim);
        return ((Layer) get("to_out.0")).forward(merged);
    }

    private NDArray splitHeads(NDArray t) {
        Shape s = t.getShape();
        return t.reshape(s.get(0), s.get(1), heads, headDim).transpose(0, 2, 1, 3);
    }
}
