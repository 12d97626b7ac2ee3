package io.moslora.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class Nf4CodecTest {
    private static final float[] NF4 = FourBitType.NF4.table();

    @Test
    void evenElementGoesToTheHighNibble() {
        float[] w = {-1f, 1f};
        byte[] packed = new byte[1];
        float[] absmax = new float[1];
        Nf4Codec.quantize(w, 2, 32, FourBitType.NF4, packed, absmax);
        assertThat(packed[0] & 0xff).isEqualTo(0x0F);
        assertThat(Nf4Codec.code(packed, 0)).isEqualTo(0);
        assertThat(Nf4Codec.code(packed, 1)).isEqualTo(15);
    }

    @Test
    void fullAndPartialBlocksWithHandComputedCodes() {
        // Block 0 (32 values): 2 * code[i % 16], so absmax 2 and the codes come back as i % 16.
        // Block 1 (5 values, partial, odd count): absmax 0.5, scaled [1, -0.5, 0, 0.2, -1] -> 15, 2, 7, 9, 0,
        // and the missing 38th value pads the low nibble with the code of 0 (7).
        float[] w = new float[37];
        for (int i = 0; i < 32; i++) {
            w[i] = 2 * NF4[i % 16];
        }
        float[] tail = {0.5f, -0.25f, 0f, 0.1f, -0.5f};
        System.arraycopy(tail, 0, w, 32, 5);
        byte[] packed = new byte[Nf4Codec.packedLength(37)];
        float[] absmax = new float[Nf4Codec.blockCount(37, 32)];
        Nf4Codec.quantize(w, 37, 32, FourBitType.NF4, packed, absmax);

        assertThat(packed).hasSize(19);
        assertThat(absmax).containsExactly(2f, 0.5f);
        for (int j = 0; j < 16; j++) {
            int expected = (((2 * j) % 16) << 4) | ((2 * j + 1) % 16);
            assertThat(packed[j] & 0xff).as("byte %d", j).isEqualTo(expected);
        }
        assertThat(packed[16] & 0xff).isEqualTo(0xF2);
        assertThat(packed[17] & 0xff).isEqualTo(0x79);
        assertThat(packed[18] & 0xff).isEqualTo(0x07);

        float[] out = new float[37];
        Nf4Codec.dequantize(packed, absmax, NF4, 37, 32, out);
        for (int i = 0; i < 32; i++) {
            assertThat(out[i]).isEqualTo(w[i]); // exact: codes times a power of two
        }
        assertThat(out[32]).isEqualTo(0.5f);
        assertThat(out[33]).isEqualTo(-0.5250730514526367f * 0.5f);
        assertThat(out[34]).isEqualTo(0f);
        assertThat(out[35]).isEqualTo(0.16093020141124725f * 0.5f);
        assertThat(out[36]).isEqualTo(-0.5f);
    }

    @Test
    void allZeroBlockDequantizesToZero() {
        // 0 * (1/0) is NaN, which the kernel's tree sends to code 0 (-1.0): scaled by absmax 0 it is still 0.
        float[] w = new float[64];
        byte[] packed = new byte[32];
        float[] absmax = new float[1];
        Nf4Codec.quantize(w, 64, 64, FourBitType.NF4, packed, absmax);
        assertThat(absmax[0]).isZero();
        float[] out = new float[64];
        Nf4Codec.dequantize(packed, absmax, NF4, 64, 64, out);
        for (float v : out) {
            assertThat(Math.abs(v)).isZero();
        }
    }

    @Test
    void roundTripErrorIsAtMostHalfTheWidestGapTimesAbsmax() {
        java.util.Random r = new java.util.Random(7);
        int n = 64 * 40 + 17;
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) r.nextGaussian() * 0.02f;
        }
        byte[] packed = new byte[Nf4Codec.packedLength(n)];
        float[] absmax = new float[Nf4Codec.blockCount(n, 64)];
        Nf4Codec.quantize(w, n, 64, FourBitType.NF4, packed, absmax);
        float[] out = new float[n];
        Nf4Codec.dequantize(packed, absmax, NF4, n, 64, out);
        double widestHalfGap = (1.0 - 0.6961928009986877) / 2; // the gap between the two lowest codes
        for (int i = 0; i < n; i++) {
            assertThat((double) Math.abs(out[i] - w[i])).isLessThanOrEqualTo(widestHalfGap * absmax[i / 64] * (1 + 1e-6));
        }
    }

    @Test
    void blocksizesAreBitsandbytesOnes() {
        for (int bs : new int[] {32, 64, 128, 256, 512, 1024, 2048, 4096}) {
            assertThat(Nf4Codec.isValidBlocksize(bs)).isTrue();
        }
        for (int bs : new int[] {0, 16, 48, 100, 8192}) {
            assertThat(Nf4Codec.isValidBlocksize(bs)).isFalse();
        }
        assertThatThrownBy(() -> Nf4Codec.checkBlocksize(48)).hasMessageContaining("48");
    }
}
