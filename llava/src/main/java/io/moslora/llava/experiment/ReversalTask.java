package io.moslora.llava.experiment;

import io.moslora.engine.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * Synthetic sequence tasks the project generates: {@code BOS x₁…x_n SEP y₁…y_n EOS}, where y is x copied
 * (the base model's pre-training task) or x reversed (the fine-tuning task). Only y and EOS are learned. A batch
 * is a pure function of (seed, step, micro), so runs are reproducible and resumable.
 */
final class ReversalTask {
    static final int BOS = 1;
    static final int SEP = 2;
    static final int EOS = 3;
    static final int FIRST_SYMBOL = 4;

    final int length;
    final int symbols;
    final boolean reverse;

    ReversalTask(int length, int symbols, boolean reverse) {
        this.length = length;
        this.symbols = symbols;
        this.reverse = reverse;
    }

    int vocab() {
        return FIRST_SYMBOL + symbols;
    }

    int sequenceLength() {
        return 2 * length + 3;
    }

    /** Input ids and labels {@code [batch, 2n+3]}. */
    NDList batch(NDManager m, long seed, long step, int micro, int batch) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + step * 1_000_003L + micro);
        int len = sequenceLength();
        long[] ids = new long[batch * len];
        long[] labels = new long[batch * len];
        for (int b = 0; b < batch; b++) {
            int o = b * len;
            ids[o] = BOS;
            for (int i = 0; i < length; i++) {
                ids[o + 1 + i] = FIRST_SYMBOL + r.nextInt(symbols);
            }
            ids[o + 1 + length] = SEP;
            for (int i = 0; i < length; i++) {
                ids[o + 2 + length + i] = ids[o + 1 + (reverse ? length - 1 - i : i)];
            }
            ids[o + len - 1] = EOS;
            for (int t = 0; t < len; t++) {
                labels[o + t] = t >= 2 + length ? ids[o + t] : -100;
            }
        }
        Shape shape = new Shape(batch, len);
        return new NDList(OwnedArrays.create(m, ids, shape), OwnedArrays.create(m, labels, shape));
    }
}
