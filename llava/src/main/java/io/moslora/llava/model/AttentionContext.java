package io.moslora.llava.model;

import ai.djl.ndarray.NDList;

/**
 * What every layer's attention needs to know about this forward pass, decided once by the model: rotary tables
 * for the new positions, the boolean mask (or null), whether plain causal masking applies, and the KV cache.
 */
record AttentionContext(NDList rope, ai.djl.ndarray.NDArray mask, boolean causal, KvCache cache) {}
