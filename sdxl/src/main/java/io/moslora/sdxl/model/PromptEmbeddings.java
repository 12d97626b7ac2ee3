package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;

/**
 * SDXL's text conditioning for a batch of prompts.
 *
 * @param tokens both encoders' penultimate hidden states side by side [B, 77, hidden₁ + hidden₂] (the UNet's context)
 * @param pooled encoder 2's projected pooled output [B, projection_dim] (the UNet's {@code text_embeds})
 */
public record PromptEmbeddings(NDArray tokens, NDArray pooled) {}
