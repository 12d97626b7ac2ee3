package io.moslora.llava.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/** The benchmark must time steps that free their memory, as real training does. */
class AdapterBenchmarkTest {
    private static int arraysLeftAfter(int rounds) {
        AdapterBenchmark b = new AdapterBenchmark(new AdapterBenchmark.Settings(64, 4, 8, 1, 2, rounds, 1));
        try (NDManager m = NDManager.newBaseManager()) {
            b.run(m);
            return m.getManagedArrays().size();
        }
    }

    @Test
    void stepsLeaveNothingInTheRootManager() {
        // models, ids and AdamW moments are made once; every step's activations must go with its scope
        assertThat(arraysLeftAfter(4)).isEqualTo(arraysLeftAfter(1));
    }
}
