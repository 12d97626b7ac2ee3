package io.moslora.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

/** Token id → vector lookup ({@code weight [num, dim]}, initialised N(0, 1) as in PyTorch). */
public class Embedding extends Module implements Layer {
    private final long num;
    private final long dim;

    public Embedding(long num, long dim) {
        this.num = num;
        this.dim = dim;
        addParameter("weight", new Parameter(new Shape(num, dim), Init.normal(1.0)));
    }

    public long numEmbeddings() {
        return num;
    }

    public long dim() {
        return dim;
    }

    public Parameter weight() {
        return parameter("weight");
    }

    @Override
    public NDArray forward(NDArray ids) {
        return ai.djl.nn.core.Embedding.embedding(ids, weight().array(), SparseFormat.DENSE).singletonOrThrow();
    }
}
