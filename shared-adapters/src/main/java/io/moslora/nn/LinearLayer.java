package io.moslora.nn;

import ai.djl.ndarray.NDArray;

/**
 * Anything that acts as {@code y = x·Wᵀ + b}: the plain {@link Linear}, the 4-bit Linear of {@code quant}, and
 * the adapter wrappers around either. Adapters target this, so they wrap every kind of base the same way.
 */
public interface LinearLayer extends Layer {
    long inFeatures();

    long outFeatures();

    /** The base weight as a dense {@code [out, in]} array in the given manager (dequantized if need be). */
    NDArray denseWeight();
}
