package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import io.moslora.nn.LayerNorm;
import io.moslora.nn.Module;

/**
 * diffusers' {@code BasicTransformerBlock} as SDXL uses it (pre-LayerNorm, no bias on q/k/v): self-attention
 * ({@code attn1}), cross-attention to the text ({@code attn2}), GEGLU feed-forward ({@code ff}), each residual.
 */
public final class BasicTransformerBlock extends Module {
    public BasicTransformerBlock(long dim, int heads, int headDim, long contextDim) {
        addChild("norm1", new LayerNorm(dim, 1e-5));
        addChild("attn1", new Attention(dim, dim, heads, headDim, false));
        addChild("norm2", new LayerNorm(dim, 1e-5));
        addChild("attn2", new Attention(dim, contextDim, heads, headDim, false));
        addChild("norm3", new LayerNorm(dim, 1e-5));
        addChild("ff", new GegluFeedForward(dim));
    }

    /** x [B, L, dim], context [B, S, contextDim]. */
    public NDArray forward(NDArray x, NDArray context) {
        NDArray h = ((Attention) child("attn1")).forward(layer("norm1").forward(x), null).add(x);
        h = ((Attention) child("attn2")).forward(layer("norm2").forward(h), context).add(h);
        return ((GegluFeedForward) child("ff")).forward(layer("norm3").forward(h)).add(h);
    }
}
