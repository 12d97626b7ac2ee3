package io.moslora.quant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DoubleQuantTest {

    @Test
    void handComputedSmallCase() {
        // mean 2, centred [-1, 1, 0], block absmax 1 -> codes 0 (the map's -0.99296875), 255 (1.0), 127 (0).
        DoubleQuant dq = DoubleQuant.quantize(new float[] {1f, 3f, 2f});
        assertThat(dq.offset()).isEqualTo(2f);
        assertThat(dq.scales()).containsExactly(1f);
        assertThat(dq.codes()[0] & 0xff).isEqualTo(0);
        assertThat(dq.codes()[1] & 0xff).isEqualTo(255);
        assertThat(dq.codes()[2] & 0xff).isEqualTo(127);
        float[] back = dq.dequantize();
        assertThat(back[0]).isEqualTo(DynamicMap.value(0) * 1f + 2f);
        assertThat(back[1]).isEqualTo(3f);
        assertThat(back[2]).isEqualTo(2f);
    }

    @Test
    void roundTripErrorIsBoundedByTheMapSpacing() {
        Random r = new Random(11);
        int n = 256 * 3 + 41; // a partial last nested block
        float[] absmax = new float[n];
        for (int i = 0; i < n; i++) {
            absmax[i] = 0.01f + (float) Math.abs(r.nextGaussian()) * 0.05f;
        }
        DoubleQuant dq = DoubleQuant.quantize(absmax);
        assertThat(dq.scales()).hasSize(4);
        assertThat(dq.blocksize()).isEqualTo(256);
        float[] back = dq.dequantize();
        float[] map = DynamicMap.values();
        for (int i = 0; i < n; i++) {
            float scale = dq.scales()[i / 256];
            float centred = (absmax[i] - dq.offset()) / scale;
            // Nearest code: the error is at most half the gap between the codes around the value.
            int q = dq.codes()[i] & 0xff;
            int lo = q > 0 ? q - 1 : q;
            int hi = q < 255 ? q + 1 : q;
            double halfGap = Math.max(map[q] - map[lo], map[hi] - map[q]) / 2.0;
            assertThat((double) Math.abs(map[q] - centred)).isLessThanOrEqualTo(halfGap + 1e-6);
            assertThat((double) Math.abs(back[i] - absmax[i])).isLessThanOrEqualTo((halfGap + 1e-6) * scale + 1e-7);
        }
        // The widest spacing of the map is 0.9 / 64 (the decade 0.1..1 in 64 steps): error <= half of it x scale.
        for (int i = 0; i < n; i++) {
            assertThat((double) Math.abs(back[i] - absmax[i])).isLessThanOrEqualTo(0.9 / 128 * dq.scales()[i / 256] * 1.001);
        }
    }
}
