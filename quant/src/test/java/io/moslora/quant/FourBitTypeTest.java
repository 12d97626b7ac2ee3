package io.moslora.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FourBitTypeTest {

    @Test
    void nf4TableIsBitsandbytesTable() {
        // bitsandbytes functional.get_4bit_type("nf4") / csrc nf4_dequantization_lut, as float32.
        float[] expected = {-1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
            -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f, 0.07958029955625534f,
            0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f, 0.44070982933044434f,
            0.5626170039176941f, 0.7229568362236023f, 1.0f};
        assertThat(FourBitType.NF4.table()).containsExactly(expected);
        assertThat(Float.floatToRawIntBits(FourBitType.NF4.code(0))).isEqualTo(0xbf800000);
        assertThat(Float.floatToRawIntBits(FourBitType.NF4.code(8))).isEqualTo(Float.floatToRawIntBits(0.07958029955625534f));
    }

    @Test
    void fp4TableMatchesTheCudaLookupLiterals() {
        // csrc fp4_dequantization_lut (positive half), sign in bit 3.
        float[] lut = {0.0f, 0.005208333333f, 0.66666667f, 1.0f, 0.33333333f, 0.5f, 0.16666667f, 0.25f};
        for (int i = 0; i < 8; i++) {
            assertThat(FourBitType.FP4.code(i)).isEqualTo(lut[i]);
            assertThat(FourBitType.FP4.code(i + 8)).isEqualTo(-lut[i]);
        }
    }

    @Test
    void nf4RoundsToNearestCodeAndMidpointsGoToTheLowerCode() {
        float[] c = FourBitType.NF4.table();
        for (int i = 0; i < 16; i++) {
            assertThat(FourBitType.NF4.quantize(c[i])).as("code %d maps to itself", i).isEqualTo(i);
        }
        // The CUDA kernel's comparison thresholds (csrc dQuantizeNF4): midpoints of neighbouring codes taken from the
        // unrounded normal-map values, written as float32: four of them sit one ulp from the float32 midpoint.
        float[] kernelThresholds = {-0.8480964004993439f, -0.6106329262256622f, -0.4599952697753906f,
            -0.33967943489551544f, -0.23460740596055984f, -0.13791173323988914f, -0.045525018125772476f,
            0.03979014977812767f, 0.1202552504837513f, 0.2035212516784668f, 0.2920137718319893f,
            0.3893125355243683f, 0.5016634166240692f, 0.6427869200706482f, 0.8614784181118011f};
        int offByOneUlp = 0;
        for (int i = 0; i < 15; i++) {
            float t = kernelThresholds[i];
            assertThat(FourBitType.NF4.quantize(t)).as("threshold %d/%d goes to the lower code", i, i + 1).isEqualTo(i);
            assertThat(FourBitType.NF4.quantize(Math.nextUp(t))).isEqualTo(i + 1);
            assertThat(FourBitType.NF4.quantize(Math.nextDown(t))).isEqualTo(i);
            int ulps = Math.abs(Float.floatToIntBits(t) - Float.floatToIntBits((c[i] + c[i + 1]) / 2f));
            assertThat(ulps).isLessThanOrEqualTo(1);
            offByOneUlp += ulps;
        }
        assertThat(offByOneUlp).isEqualTo(4);
        // Where the float32 midpoint is the threshold, it goes to the lower code: codes 2/3 at -0.45999527.
        assertThat(FourBitType.NF4.quantize((c[2] + c[3]) / 2f)).isEqualTo(2);
        assertThat(FourBitType.NF4.quantize(0.0f)).isEqualTo(7);
        assertThat(FourBitType.NF4.quantize(-0.0f)).isEqualTo(7);
        assertThat(FourBitType.NF4.quantize(0.5f)).isEqualTo(12); // 0.5-0.4407=0.0593 < 0.5626-0.5=0.0626
        assertThat(FourBitType.NF4.quantize(-0.6f)).isEqualTo(2); // 0.6-0.5251=0.0749 < 0.6962-0.6=0.0962
        assertThat(FourBitType.NF4.quantize(Float.NaN)).isEqualTo(0);
    }

    @Test
    void fp4RoundsBySignAndMagnitude() {
        assertThat(FourBitType.FP4.quantize(1.0f)).isEqualTo(3);
        assertThat(FourBitType.FP4.quantize(-1.0f)).isEqualTo(11);
        assertThat(FourBitType.FP4.quantize(0.3f)).isEqualTo(4); // nearest 4/12
        assertThat(FourBitType.FP4.quantize(-0.2f)).isEqualTo(14); // nearest -2/12
        assertThat(FourBitType.FP4.quantize(0.0f)).isEqualTo(0);
        float[] c = FourBitType.FP4.table();
        for (int i = 0; i < 16; i++) {
            if (i != 8) { // -0 codes as +0's index with the sign bit only when x < 0
                assertThat(FourBitType.FP4.quantize(c[i])).as("fp4 code %d", i).isEqualTo(i);
            }
        }
    }

    @Test
    void namesRoundTrip() {
        assertThat(FourBitType.fromBnbName("nf4")).isEqualTo(FourBitType.NF4);
        assertThat(FourBitType.fromBnbName("fp4")).isEqualTo(FourBitType.FP4);
        assertThatThrownBy(() -> FourBitType.fromBnbName("int4")).hasMessageContaining("int4");
    }
}
