package io.moslora.sdxl.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class TimestepsTest {
    @Test
    void frequenciesByHand() {
        // half = 4: exp(−ln(10⁴)·k/4) = 10^(−k) for k = 0..3
        assertThat(new Timesteps(8, true, 0).frequencies()).containsExactly(new double[] {1, 0.1, 0.01, 0.001}, within(1e-15));
        // SD 1.x's shift 1 divides by half − 1 = 1: 1, 10⁻⁴
        assertThat(new Timesteps(4, false, 1).frequencies()).containsExactly(new double[] {1, 1e-4}, within(1e-18));
    }

    @Test
    void cosThenSinWhenFlipped() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray t = m.create(new float[] {0, 1, 981});
            float[] flipped = new Timesteps(4, true, 0).embed(t).toFloatArray();
            // t = 0: cos 0 = 1, sin 0 = 0; t = 1: [cos 1, cos 0.01, sin 1, sin 0.01]; t = 981 likewise
            assertThat(flipped).containsExactly(new float[] {
                    1, 1, 0, 0,
                    (float) Math.cos(1), (float) Math.cos(0.01), (float) Math.sin(1), (float) Math.sin(0.01),
                    (float) Math.cos(981), (float) Math.cos(9.81), (float) Math.sin(981), (float) Math.sin(9.81)},
                    within(2e-5f));
            float[] plain = new Timesteps(4, false, 0).embed(m.create(new float[] {1})).toFloatArray();
            assertThat(plain).containsExactly(new float[] {
                    (float) Math.sin(1), (float) Math.sin(0.01), (float) Math.cos(1), (float) Math.cos(0.01)}, within(1e-6f));
        }
    }

    @Test
    void timeIdsAsSdxlFeedsThem() {
        try (NDManager m = NDManager.newBaseManager()) {
            // SDXL embeds each of the 6 time ids (e.g. 1024) separately, then flattens: [B·6] → [B, 6·dim]
            NDArray ids = m.create(new float[] {1024, 0}).reshape(1, 2);
            float[] e = new Timesteps(2, true, 0).embed(ids.flatten()).reshape(1, -1).toFloatArray();
            assertThat(e).containsExactly(new float[] {(float) Math.cos(1024), (float) Math.sin(1024), 1, 0}, within(1e-4f));
        }
    }
}
