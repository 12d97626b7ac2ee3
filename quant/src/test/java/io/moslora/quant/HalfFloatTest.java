package io.moslora.quant;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HalfFloatTest {

    private static int h(float f) {
        return HalfFloat.fromFloat(f) & 0xffff;
    }

    @Test
    void roundsToNearestEven() {
        assertThat(h(1.0f)).isEqualTo(0x3c00);
        assertThat(h(-2.0f)).isEqualTo(0xc000);
        assertThat(h(65504f)).isEqualTo(0x7bff);
        assertThat(h(65520f)).isEqualTo(0x7c00); // halfway to 2^16 rounds up to infinity
        assertThat(h(65519.996f)).isEqualTo(0x7bff);
        assertThat(h(1f + 0x1p-11f)).isEqualTo(0x3c00); // tie, even stays
        assertThat(h(1f + 3 * 0x1p-11f)).isEqualTo(0x3c02); // tie, odd rounds up
        assertThat(h(0x1p-24f)).isEqualTo(0x0001); // smallest subnormal
        assertThat(h(0x1p-25f)).isEqualTo(0x0000); // tie to even zero
        assertThat(h(0x1.8p-25f)).isEqualTo(0x0001);
        assertThat(h(0x1p-14f)).isEqualTo(0x0400); // smallest normal
        assertThat(h(0x1.ffcp-15f)).isEqualTo(0x0400); // subnormal rounding carries into the exponent
        assertThat(h(-0.0f)).isEqualTo(0x8000);
        assertThat(h(Float.POSITIVE_INFINITY)).isEqualTo(0x7c00);
        assertThat(h(Float.NaN) & 0x7c00).isEqualTo(0x7c00);
        assertThat(h(Float.NaN) & 0x3ff).isNotZero();
    }

    @Test
    void everyHalfRoundTripsThroughFloat() {
        for (int bits = 0; bits < 0x10000; bits++) {
            if ((bits & 0x7c00) == 0x7c00 && (bits & 0x3ff) != 0) {
                continue; // NaN payloads are not preserved bit for bit
            }
            float f = HalfFloat.toFloat((short) bits);
            assertThat(h(f)).as("half %04x", bits).isEqualTo(bits);
        }
    }
}
