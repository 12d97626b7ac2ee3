package io.moslora.nn;

import io.moslora.engine.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding in the Hugging Face convention (the two halves of the head are rotated against each
 * other: {@code x·cos + rotate_half(x)·sin}). Tables are computed in double in Java, then cast, so they are the
 * same on every device. Scaling: none, {@code linear}, and {@code dynamic} NTK (InternLM2, LLaMA's dynamic).
 */
public final class RotaryEmbedding {
    public enum Scaling { NONE, LINEAR, DYNAMIC }

    private final int headDim;
    private final double theta;
    private final Scaling scaling;
    private final double factor;
    private final long maxPositions;

    public RotaryEmbedding(int headDim, double theta, Scaling scaling, double factor, long maxPositions) {
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("rotary head_dim must be even, got " + headDim);
        }
        this.headDim = headDim;
        this.theta = theta;
        this.scaling = scaling;
        this.factor = factor;
        this.maxPositions = maxPositions;
    }

    public static RotaryEmbedding plain(int headDim, double theta) {
        return new RotaryEmbedding(headDim, theta, Scaling.NONE, 1.0, Long.MAX_VALUE);
    }

    /** cos and sin tables {@code [length, headDim]} for positions {@code start … start+length-1}. */
    public NDList tables(NDManager manager, long start, int length, DataType dtype) {
        long seqLen = start + length;
        double base = theta;
        if (scaling == Scaling.DYNAMIC && seqLen > maxPositions) {
            base = theta * Math.pow(factor * seqLen / maxPositions - (factor - 1), headDim / (headDim - 2.0));
        }
        int half = headDim / 2;
        float[] cos = new float[length * headDim];
        float[] sin = new float[length * headDim];
        for (int i = 0; i < half; i++) {
            double invFreq = 1.0 / Math.pow(base, (2.0 * i) / headDim);
            for (int t = 0; t < length; t++) {
                double pos = start + t;
                if (scaling == Scaling.LINEAR) {
                    pos /= factor;
                }
                // Compute the angle in float like PyTorch (outer product of float32 tensors), then cos/sin.
                float angle = (float) pos * (float) invFreq;
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[t * headDim + i] = c;
                cos[t * headDim + i + half] = c;
                sin[t * headDim + i] = s;
                sin[t * headDim + i + half] = s;
            }
        }
        Shape shape = new Shape(length, headDim);
        return new NDList(OwnedArrays.create(manager, cos, shape).toType(dtype, false), OwnedArrays.create(manager, sin, shape).toType(dtype, false));
    }

    /** Applies the rotation to {@code x [B, H, L, D]} with tables {@code [L, D]}. */
    public static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        long half = x.getShape().getShape()[3] / 2;
        NDArray x1 = x.get(new NDIndex("..., :{}", half));
        NDArray x2 = x.get(new NDIndex("..., {}:", half));
        NDArray rotated = x2.neg().concat(x1, -1);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
