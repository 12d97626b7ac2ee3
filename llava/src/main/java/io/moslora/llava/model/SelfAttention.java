package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;

/** One decoder layer's attention block, whatever its projection layout. */
interface SelfAttention {
    /** {@code x [B, L, hidden]} → {@code [B, L, hidden]}. */
    NDArray forward(NDArray x, AttentionContext ctx, int layer);
}
