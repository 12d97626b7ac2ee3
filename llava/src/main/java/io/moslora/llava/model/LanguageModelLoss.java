package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;
import io.moslora.engine.Ops;

/** Next-token cross-entropy as Hugging Face's causal LMs compute it: logits at t predict labels at t+1. */
public final class LanguageModelLoss {
    public static final long IGNORE_INDEX = -100;

    private LanguageModelLoss() {}

    /** {@code logits [B, L, V]}, {@code labels [B, L]} (int64, −100 = not learned) → mean over learned tokens. */
    public static NDArray shifted(NDArray logits, NDArray labels) {
        long vocab = logits.getShape().get(2);
        NDArray predicting = logits.get(":, :-1, :").reshape(-1, vocab);
        NDArray targets = labels.get(":, 1:").reshape(-1);
        return Ops.crossEntropy(predicting, targets, IGNORE_INDEX);
    }
}
