package io.moslora.engine;

import ai.djl.ndarray.types.DataType;

/**
 * The one place that knows which dtypes DJL can be handed. DJL aborts the whole JVM (no exception) on bf16 —
 * creating, converting to or decoding it — so every route that takes a dtype from a user or a file asks here.
 */
public final class DTypes {
    private DTypes() {}

    /** Throws a Java exception for a dtype that would kill the JVM inside DJL. */
    public static void requireDjlSafe(DataType dtype, String where) {
        if (dtype == DataType.BFLOAT16) {
            throw new UnsupportedOperationException(where + ": bf16 cannot be handed to DJL (it aborts the JVM); "
                    + "widen to float32 or use float16, or use the bf16 ops of io.moslora.engine.Ops");
        }
    }
}
