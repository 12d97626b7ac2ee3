package io.moslora.quant;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DynamicMapTest {

    @Test
    void hasBitsandbytesStructure() {
        float[] v = DynamicMap.values();
        assertThat(v).hasSize(256);
        assertThat(v[127]).isEqualTo(0.0f);
        assertThat(v[255]).isEqualTo(1.0f);
        for (int i = 0; i < 255; i++) {
            assertThat(v[i]).as("ascending at %d", i).isLessThan(v[i + 1]);
        }
        // Mirror image apart from the extra 1.0: v[i] == -v[254 - i].
        for (int i = 0; i < 127; i++) {
            assertThat(v[i]).isEqualTo(-v[254 - i]);
        }
        // Extremes: (linspace(0.1, 1, 65)[63] + 1) / 2 and 1e-6 * (0.1 + 1) / 2.
        assertThat((double) v[0]).isCloseTo(-(0.9859375 + 1.0) / 2, org.assertj.core.data.Offset.offset(1e-7));
        assertThat((double) v[128]).isCloseTo(0.55e-6, org.assertj.core.data.Offset.offset(1e-13));
        assertThat((double) v[254]).isCloseTo(0.99296875, org.assertj.core.data.Offset.offset(1e-7));
    }

    @Test
    void shippedValuesAreTheFormulaWithinTwoUlp() {
        float[] shipped = DynamicMap.values();
        float[] formula = DynamicMap.fromFormula();
        for (int i = 0; i < 256; i++) {
            int d = Math.abs(Float.floatToIntBits(shipped[i]) - Float.floatToIntBits(formula[i]));
            assertThat(d).as("index %d: %s vs %s", i, shipped[i], formula[i]).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void quantizePicksNearestWithTheKernelsTieRule() {
        float[] v = DynamicMap.values();
        for (int i = 0; i < 256; i++) {
            assertThat(DynamicMap.quantize(v[i])).as("code %d", i).isEqualTo(i);
        }
        for (int i = 0; i < 255; i++) {
            float mid = (v[i] + v[i + 1]) * 0.5f;
            int q = DynamicMap.quantize(mid);
            assertThat(q).as("midpoint %d/%d", i, i + 1).isIn(i, i + 1);
            if (mid != v[i] && mid != v[i + 1]) {
                assertThat(DynamicMap.quantize(Math.nextUp(mid))).isEqualTo(i + 1);
                assertThat(DynamicMap.quantize(Math.nextDown(mid))).isEqualTo(i);
            }
        }
        // The search ends on an even index; its midpoint with the odd neighbour above goes down, with the one
        // below goes to the even index too (the kernel's '>' above and '<' below).
        float upMid = (v[100] + v[101]) * 0.5f;
        assertThat(DynamicMap.quantize(upMid)).isEqualTo(100);
        float downMid = (v[99] + v[100]) * 0.5f;
        assertThat(DynamicMap.quantize(downMid)).isEqualTo(100);
        assertThat(DynamicMap.quantize(-1.0f)).isEqualTo(0);
        assertThat(DynamicMap.quantize(2.0f)).isEqualTo(255);
    }
}
