package io.moslora.quant;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Third-party check: onnxruntime's contrib op {@code com.microsoft::MatMulBnb4}, a bitsandbytes-compatible 4-bit
 * kernel, fed our packed codes and absmax, computes the same product as our dequantized weight.
 */
class MatMulBnb4AgreementTest {

    @Test
    void onnxruntimeComputesOurProduct() throws Exception {
        int m = 3;
        int k = 96; // in features
        int n = 21; // out features: 2016 weights, 31.5 blocks of 64 -> a partial last block
        for (FourBitType type : FourBitType.values()) {
            for (boolean dq : new boolean[] {false, true}) {
                for (int blocksize : new int[] {64, 32}) {
                    check(m, k, n, type, dq, blocksize);
                }
            }
        }
    }

    private static void check(int m, int k, int n, FourBitType type, boolean dq, int blocksize) throws Exception {
        Random r = new Random(17L + blocksize + (dq ? 1 : 0) + type.ordinal() * 7L);
        float[] w = new float[n * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.05f;
        }
        float[] a = new float[m * k];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        QuantState s = QuantState.quantize(w, new long[] {n, k}, "float32", type, blocksize, dq);
        float[] wq = s.dequantize(FourBitKernels.JAVA);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(MatMulBnb4Model.build(m, k, n, s), new OrtSession.SessionOptions());
                OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(a), new long[] {m, k});
                OrtSession.Result result = session.run(Map.of("A", input))) {
            float[][] y = (float[][]) result.get(0).getValue();
            assertThat(y.length).isEqualTo(m);
            double maxRef = 0;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double ref = 0;
                    double scale = 0;
                    for (int t = 0; t < k; t++) {
                        ref += (double) a[i * k + t] * wq[j * k + t];
                        scale += Math.abs((double) a[i * k + t] * wq[j * k + t]);
                    }
                    maxRef = Math.max(maxRef, Math.abs(ref));
                    assertThat((double) y[i][j]).as("%s dq=%s bs=%d y[%d][%d]", type, dq, blocksize, i, j)
                            .isCloseTo(ref, org.assertj.core.data.Offset.offset(1e-5 * scale + 1e-7));
                }
            }
            assertThat(maxRef).isGreaterThan(0.1); // a real product, not zeros agreeing with zeros
        }
    }
}
