package io.moslora.quant;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The native kernels, the Java reference and the libtorch-op path give the same bits. */
class KernelParityTest {
    private static final int[][] CASES = { // n, blocksize
        {1, 32}, {37, 32}, {64, 64}, {1000, 64}, {4097, 128}, {64 * 256 * 2 + 63, 64}, {8192 + 5, 4096}};

    private static float[] weights(int n, long seed) {
        Random r = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (r.nextGaussian() * (i % 97 == 0 ? 1.0 : 0.02));
        }
        if (n > 256) {
            java.util.Arrays.fill(w, 64, 128, 0f); // an all-zero block
            w[130] = 65504f * 2; // beyond the half range: this block dequantizes to +-inf in f16 on every path
            for (int i = 192; i < 256; i++) {
                w[i] *= 1e-3f; // a block whose f16 values are subnormal
            }
        }
        return w;
    }

    @Test
    void nativeLibraryIsBuiltAndLoads() {
        assertThat(FourBitKernels.nativeOrNull()).as("the JavaCPP build puts the kernels on the class path").isNotNull();
        assertThat(FourBitKernels.best().name()).isEqualTo("native");
    }

    @Test
    void nativeEqualsJavaBitForBit() {
        FourBitKernels nat = FourBitKernels.nativeOrNull();
        for (FourBitType type : FourBitType.values()) {
            for (int[] c : CASES) {
                int n = c[0];
                int bs = c[1];
                float[] w = weights(n, n * 31L + bs);
                byte[] pj = new byte[Nf4Codec.packedLength(n)];
                byte[] pn = new byte[pj.length];
                float[] aj = new float[Nf4Codec.blockCount(n, bs)];
                float[] an = new float[aj.length];
                FourBitKernels.JAVA.quantize(w, n, bs, type, pj, aj);
                nat.quantize(w, n, bs, type, pn, an);
                assertThat(pn).as("%s codes n=%d bs=%d", type, n, bs).isEqualTo(pj);
                assertThat(an).isEqualTo(aj);

                float[] table = type.table();
                float[] fj = new float[n];
                float[] fn = new float[n];
                FourBitKernels.JAVA.dequantize(pj, aj, table, n, bs, fj);
                nat.dequantize(pj, aj, table, n, bs, fn);
                assertThat(bits(fn)).as("%s f32 n=%d", type, n).isEqualTo(bits(fj));

                short[] hj = new short[n];
                short[] hn = new short[n];
                FourBitKernels.JAVA.dequantizeHalf(pj, aj, table, n, bs, hj);
                nat.dequantizeHalf(pj, aj, table, n, bs, hn);
                assertThat(hn).as("%s f16 n=%d", type, n).isEqualTo(hj);
            }
        }
    }

    @Test
    void libtorchPathEqualsJavaBitForBit() {
        try (NDManager manager = NDManager.newBaseManager()) {
            for (boolean dq : new boolean[] {false, true}) {
                for (int[] c : CASES) {
                    int n = c[0];
                    float[] w = weights(n, n + 5L);
                    long[] shape = n % 37 == 0 ? new long[] {37, n / 37} : new long[] {n};
                    QuantState s = QuantState.quantize(FourBitKernels.JAVA, w, shape, "float16", FourBitType.NF4,
                            c[1], dq);
                    NDArray f32 = TorchDequantizer.dequantize(manager, s, DataType.FLOAT32);
                    assertThat(f32.getShape().getShape()).containsExactly(shape);
                    assertThat(bits(f32.toFloatArray())).as("f32 n=%d dq=%s", n, dq)
                            .isEqualTo(bits(s.dequantize(FourBitKernels.JAVA)));
                    NDArray f16 = TorchDequantizer.dequantize(manager, s, DataType.FLOAT16);
                    short[] torchHalf = new short[n];
                    f16.toByteBuffer().asShortBuffer().get(torchHalf);
                    assertThat(torchHalf).as("f16 n=%d dq=%s", n, dq).isEqualTo(s.dequantizeHalf(FourBitKernels.JAVA));
                }
            }
        }
    }

    @Test
    void halfConversionAgreesWithLibtorchOnAwkwardValues() {
        Random r = new Random(3);
        float[] v = new float[20000];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.intBitsToFloat(r.nextInt()); // every exponent: subnormals, overflow, ties
            if (Float.isNaN(v[i])) {
                v[i] = 1f;
            }
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            short[] torch = new short[v.length];
            manager.create(v).toType(DataType.FLOAT16, false).toByteBuffer().asShortBuffer().get(torch);
            for (int i = 0; i < v.length; i++) {
                assertThat(HalfFloat.fromFloat(v[i])).as("value %s", v[i]).isEqualTo(torch[i]);
            }
        }
    }

    private static int[] bits(float[] f) {
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }
}
