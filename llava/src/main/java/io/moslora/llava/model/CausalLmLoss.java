package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.moslora.engine.Ops;

/** The next-token loss of transformers' causal LMs: position t predicts label t+1; label −100 is skipped. */
public final class CausalLmLoss {
    private CausalLmLoss() {}

    /**
     * @param logits {@code [B, T, V]}
     * @param labels {@code [B, T]} int64
     * @return the mean cross-entropy over kept labels, computed in float32 whatever the logits' dtype
     */
    public static NDArray of(NDArray logits, NDArray labels) {
        long vocab = logits.getShape().get(2);
        NDArray shiftedLogits = logits.get(new NDIndex(":, :-1, :")).reshape(-1, vocab);
        if (shiftedLogits.getDataType() != DataType.FLOAT32) {
            shiftedLogits = shiftedLogits.toType(DataType.FLOAT32, false);
        }
        NDArray shiftedLabels = labels.get(new NDIndex(":, 1:")).reshape(-1);
        return Ops.crossEntropy(shiftedLogits, shiftedLabels, LlavaModel.IGNORE_INDEX);
    }
}
