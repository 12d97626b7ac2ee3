package io.moslora.nn;

import ai.djl.ndarray.NDArray;
import io.moslora.engine.Dispatcher;

/**
 * A frozen {@link Embedding} whose table is kept in a half type; rows are looked up there ({@code aten::embedding},
 * which bf16 also passes) and widened to float32. It takes over the Embedding's own weight {@link Parameter}.
 */
public final class HalfPrecisionEmbedding extends Embedding {
    public HalfPrecisionEmbedding(Embedding embedding, Precision precision) {
        super(embedding.numEmbeddings(), embedding.dim());
        if (!precision.isHalf()) {
            throw new IllegalArgumentException("HalfPrecisionEmbedding needs fp16 or bf16, not " + precision);
        }
        shareParameter("weight", HalfPrecisionLinear.narrowInPlace(embedding.weight(), precision));
    }

    @Override
    public NDArray forward(NDArray ids) {
        NDArray rows = Dispatcher.op("aten::embedding", "")
                .tensor(weight().array())
                .tensor(ids)
                .i64(-1) // padding_idx: none
                .bool(false) // scale_grad_by_freq
                .bool(false) // sparse
                .call(ids.getManager());
        return Precision.widen(rows);
    }
}
