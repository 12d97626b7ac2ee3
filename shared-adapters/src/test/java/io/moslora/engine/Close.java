package io.moslora.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;

/** Relative closeness of float tensors: max |a - b| over max |b| (so values near zero do not dominate). */
final class Close {
    private Close() {}

    static double relativeError(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs((double) actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }

    static void assertClose(NDArray actual, NDArray expected, double rel) {
        assertThat(actual.getShape()).isEqualTo(expected.getShape());
        assertClose(actual.toFloatArray(), expected.toFloatArray(), rel);
    }

    static void assertClose(float[] actual, float[] expected, double rel) {
        assertThat(relativeError(actual, expected)).as("relative error").isLessThanOrEqualTo(rel);
    }
}
