package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What a CLIP text encoder returns, as transformers names it.
 *
 * @param hiddenStates the embeddings, then the output of every layer (SDXL reads {@code hiddenStates[-2]})
 * @param lastHiddenState the last layer's output after {@code final_layer_norm}
 * @param pooled {@code lastHiddenState} at each sequence's end token [B, hidden]
 * @param textEmbeds {@code text_projection(pooled)} [B, projection_dim], or null without a projection
 */
public record ClipTextOutput(List<NDArray> hiddenStates, NDArray lastHiddenState, NDArray pooled, NDArray textEmbeds) {
    /** The penultimate layer's output, un-normalised: what SDXL feeds the UNet. */
    public NDArray penultimate() {
        return hiddenStates.get(hiddenStates.size() - 2);
    }
}
