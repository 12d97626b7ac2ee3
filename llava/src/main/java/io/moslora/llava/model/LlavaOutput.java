package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;

/**
 * What a LLaVA forward pass gives.
 *
 * @param logits {@code [B, T, vocab]} over the spliced sequence (image positions included)
 * @param loss the mean shifted causal-LM cross-entropy over labels ≠ −100 (a scalar), or null without labels
 * @param inputs the spliced batch (labels and attention mask at the logits' positions)
 */
public record LlavaOutput(NDArray logits, NDArray loss, MultimodalInputs inputs) {}
