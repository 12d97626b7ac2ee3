package io.moslora.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {
    /** binary16 value from its fields, computed in double by the textbook formula (independent of the code). */
    private static double f16Reference(int bits) {
        int sign = (bits >> 15) & 1;
        int exponent = (bits >> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        double magnitude = exponent == 0 ? Math.scalb((double) mantissa, -24)
                : exponent == 31 ? (mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
                : Math.scalb(1 + mantissa / 1024.0, exponent - 15);
        return sign == 1 ? -magnitude : magnitude;
    }

    @Test
    void everyHalfWidensExactly() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = HalfFloats.f16ToFloat((short) bits);
            double ref = f16Reference(bits);
            if (Double.isNaN(ref)) {
                assertThat(Float.isNaN(f)).as("bits %04x", bits).isTrue();
            } else {
                assertThat((double) f).as("bits %04x", bits).isEqualTo(ref);
                assertThat(Float.floatToRawIntBits(f) < 0).as("sign of %04x", bits).isEqualTo(bits >= 0x8000);
            }
        }
        assertThat(HalfFloats.f16ToFloat((short) 0x7bff)).isEqualTo(65504f);
        assertThat(HalfFloats.f16ToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(HalfFloats.f16ToFloat((short) 0x3555)).isEqualTo(0.333251953125f);
    }

    @Test
    void everyHalfSurvivesTheRoundTrip() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short h = (short) bits;
            float f = HalfFloats.f16ToFloat(h);
            if (Float.isNaN(f)) {
                assertThat(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(f)))).isTrue();
            } else {
                assertThat(HalfFloats.floatToF16(f)).as("bits %04x", bits).isEqualTo(h);
            }
        }
    }

    @Test
    void narrowingRoundsToNearestTiesToEven() {
        // between each pair of neighbouring positive finite halves: the midpoint goes to the even one,
        // anything a float-ulp off the midpoint goes to the nearer one (covers subnormals and the normal boundary)
        for (int bits = 0; bits < 0x7bff; bits++) {
            float lo = HalfFloats.f16ToFloat((short) bits);
            float hi = HalfFloats.f16ToFloat((short) (bits + 1));
            float mid = (float) (((double) lo + hi) / 2); // 12 significant bits: exact in float
            assertThat((double) mid).isEqualTo(((double) lo + hi) / 2);
            short even = (short) ((bits & 1) == 0 ? bits : bits + 1);
            assertThat(HalfFloats.floatToF16(mid)).as("midpoint above %04x", bits).isEqualTo(even);
            assertThat(HalfFloats.floatToF16(Math.nextDown(mid))).isEqualTo((short) bits);
            assertThat(HalfFloats.floatToF16(Math.nextUp(mid))).isEqualTo((short) (bits + 1));
            assertThat(HalfFloats.floatToF16(-mid)).isEqualTo((short) (even | 0x8000));
        }
        // above the largest half (65504): below 65520 rounds down, 65520 and up overflow to infinity
        assertThat(HalfFloats.floatToF16(Math.nextDown(65520f))).isEqualTo((short) 0x7bff);
        assertThat(HalfFloats.floatToF16(65520f)).isEqualTo((short) 0x7c00);
        assertThat(HalfFloats.floatToF16(-1e30f)).isEqualTo((short) 0xfc00);
        assertThat(HalfFloats.floatToF16(Float.MIN_VALUE)).isEqualTo((short) 0);
        assertThat(HalfFloats.floatToF16(-0f)).isEqualTo((short) 0x8000);
        assertThat(HalfFloats.floatToF16(0x1p-25f)).isEqualTo((short) 0); // half of the smallest subnormal: tie to 0
        assertThat(HalfFloats.floatToF16(Math.nextUp(0x1p-25f))).isEqualTo((short) 1);
    }

    @Test
    void bf16IsTheTopHalfOfAFloatRoundedToNearestEven() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = HalfFloats.bf16ToFloat((short) bits);
            assertThat(Float.floatToRawIntBits(f)).isEqualTo(bits << 16);
            if (!Float.isNaN(f)) {
                assertThat(HalfFloats.floatToBf16(f)).isEqualTo((short) bits);
            }
        }
        assertThat(HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f808000))).isEqualTo((short) 0x3f80); // tie, even
        assertThat(HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f818000))).isEqualTo((short) 0x3f82); // tie, even
        assertThat(HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f808001))).isEqualTo((short) 0x3f81);
        assertThat(HalfFloats.floatToBf16(Float.intBitsToFloat(0x7f7fffff))).isEqualTo((short) 0x7f80); // to inf
        assertThat(HalfFloats.floatToBf16(Float.intBitsToFloat(0x7f800001))).isEqualTo((short) 0x7fc0); // quiet NaN
        assertThat(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.NaN)))).isTrue();
    }
}
