package io.moslora.nn;

import ai.djl.ndarray.NDArray;

/** A module with one tensor in and one out (Linear, norms, convolutions, adapter wrappers). */
public interface Layer {
    NDArray forward(NDArray x);
}
