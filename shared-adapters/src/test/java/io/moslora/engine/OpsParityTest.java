package io.moslora.engine;

import static io.moslora.engine.Close.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each fused operator of {@link Ops} against the same maths composed from plain DJL operators. */
class OpsParityTest {
    private static final double REL = 1e-5;
    private NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    /** Compares output and every input gradient of {@code fused} and {@code composed}. */
    private void assertSame(Function<NDArray[], NDArray> fused, Function<NDArray[], NDArray> composed,
            NDArray... inputs) {
        NDArray[] a = Autograd.run(m, fused, inputs);
        NDArray[] b = Autograd.run(m, composed, inputs);
        for (int i = 0; i < a.length; i++) {
            assertThat(b[i].abs().max().getFloat()).as("reference %d is not trivial", i).isGreaterThan(1e-3f);
            assertClose(a[i], b[i], REL);
        }
    }

    /** softmax(q k^T * scale + additive mask) v, composed. */
    private static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray additiveMask, double scale) {
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale);
        if (additiveMask != null) {
            scores = scores.add(additiveMask);
        }
        return scores.softmax(-1).matMul(v);
    }

    private NDArray causalAdditive(long l, long s) {
        NDArray rows = m.arange(l).reshape(l, 1);
        NDArray cols = m.arange(s).reshape(1, s);
        return NDArrays.where(cols.lte(rows), m.zeros(new Shape(l, s)), m.full(new Shape(l, s), Float.NEGATIVE_INFINITY));
    }

    @Test
    void oneDnnLinearMatchesDjlsLinearToRounding() {
        NDArray w = Autograd.random(m, 11, 0.3, 7, 6);
        NDArray b = Autograd.random(m, 12, 0.3, 7);
        NDArray x = Autograd.random(m, 13, 1.0, 2, 3, 6);
        NDArray plain = ai.djl.nn.core.Linear.linear(x, w, b).singletonOrThrow();
        assertThat(plain.abs().max().getFloat()).isGreaterThan(0.1f);
        assertClose(Ops.oneDnnLinear(x, w, b), plain, REL);
        assertClose(Ops.oneDnnLinear(x, w, null), x.matMul(w.transpose()), REL);
        // a non-contiguous input (a transposed view) is converted like any other
        NDArray xt = Autograd.random(m, 14, 1.0, 6, 5).transpose();
        assertClose(Ops.oneDnnLinear(xt, w, b), ai.djl.nn.core.Linear.linear(xt, w, b).singletonOrThrow(), REL);
    }

    @Test
    void sdpaPlainMatchesComposed() {
        NDArray q = Autograd.random(m, 1, 1.0, 2, 3, 5, 8);
        NDArray k = Autograd.random(m, 2, 1.0, 2, 3, 7, 8);
        NDArray v = Autograd.random(m, 3, 1.0, 2, 3, 7, 8);
        assertSame(x -> Ops.sdpa(x[0], x[1], x[2], null, false, null),
                x -> attention(x[0], x[1], x[2], null, 1 / Math.sqrt(8)), q, k, v);
    }

    @Test
    void sdpaCausalMatchesComposed() {
        NDArray q = Autograd.random(m, 4, 1.0, 1, 2, 6, 4);
        NDArray k = Autograd.random(m, 5, 1.0, 1, 2, 6, 4);
        NDArray v = Autograd.random(m, 6, 1.0, 1, 2, 6, 4);
        NDArray mask = causalAdditive(6, 6);
        assertSame(x -> Ops.sdpa(x[0], x[1], x[2], null, true, null),
                x -> attention(x[0], x[1], x[2], mask, 0.5), q, k, v);
    }

    @Test
    void sdpaBooleanMaskBroadcastsAndCustomScale() {
        NDArray q = Autograd.random(m, 7, 1.0, 2, 2, 3, 4);
        NDArray k = Autograd.random(m, 8, 1.0, 2, 2, 5, 4);
        NDArray v = Autograd.random(m, 9, 1.0, 2, 2, 5, 4);
        // padding mask [B,1,1,S]: batch 0 sees all 5 keys, batch 1 only the first 3
        NDArray keep = m.create(new boolean[] {true, true, true, true, true, true, true, true, false, false},
                new Shape(2, 1, 1, 5));
        NDArray additive = NDArrays.where(keep, m.zeros(new Shape(2, 1, 1, 5)),
                m.full(new Shape(2, 1, 1, 5), Float.NEGATIVE_INFINITY));
        assertSame(x -> Ops.sdpa(x[0], x[1], x[2], keep, false, 0.3),
                x -> attention(x[0], x[1], x[2], additive, 0.3), q, k, v);
    }

    @Test
    void sdpaAdditiveFloatMask() {
        NDArray q = Autograd.random(m, 10, 1.0, 1, 2, 4, 4);
        NDArray k = Autograd.random(m, 11, 1.0, 1, 2, 4, 4);
        NDArray v = Autograd.random(m, 12, 1.0, 1, 2, 4, 4);
        NDArray bias = Autograd.random(m, 13, 2.0, 1, 2, 4, 4); // e.g. a relative-position bias
        assertSame(x -> Ops.sdpa(x[0], x[1], x[2], bias, false, null),
                x -> attention(x[0], x[1], x[2], bias, 0.5), q, k, v);
    }

    @Test
    void sdpaRejectsMaskTogetherWithCausal() {
        NDArray q = Autograd.random(m, 1, 1.0, 1, 1, 2, 2);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> Ops.sdpa(q, q, q, m.ones(new Shape(2, 2), DataType.BOOLEAN), true, null))
                .isInstanceOf(EngineException.class);
    }

    private static NDArray groupNormComposed(NDArray x, int groups, NDArray w, NDArray b, double eps) {
        Shape shape = x.getShape();
        NDArray g = x.reshape(shape.get(0), groups, -1);
        NDArray mean = g.mean(new int[] {2}, true);
        NDArray centered = g.sub(mean);
        NDArray var = centered.square().mean(new int[] {2}, true);
        NDArray normed = centered.div(var.add(eps).sqrt()).reshape(shape);
        if (w == null) {
            return normed;
        }
        Shape perChannel = new Shape(1, shape.get(1), 1, 1);
        return normed.mul(w.reshape(perChannel)).add(b.reshape(perChannel));
    }

    @Test
    void groupNormMatchesComposed() {
        NDArray x = Autograd.random(m, 20, 3.0, 2, 6, 3, 4).add(1.5f);
        NDArray w = Autograd.random(m, 21, 1.0, 6);
        NDArray b = Autograd.random(m, 22, 1.0, 6);
        assertSame(a -> Ops.groupNorm(a[0], 3, a[1], a[2], 1e-5),
                a -> groupNormComposed(a[0], 3, a[1], a[2], 1e-5), x, w, b);
        assertSame(a -> Ops.groupNorm(a[0], 2, null, null, 1e-6),
                a -> groupNormComposed(a[0], 2, null, null, 1e-6), x);
    }

    @Test
    void groupNormRejectsUnevenGroups() {
        NDArray x = m.ones(new Shape(1, 6, 2, 2));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Ops.groupNorm(x, 4, null, null, 1e-5))
                .isInstanceOf(EngineException.class).hasMessageContaining("6 channels");
    }

    @Test
    void layerNormMatchesComposed() {
        NDArray x = Autograd.random(m, 30, 2.0, 3, 4, 10).add(0.7f);
        NDArray w = Autograd.random(m, 31, 1.0, 10);
        NDArray b = Autograd.random(m, 32, 1.0, 10);
        assertSame(a -> Ops.layerNorm(a[0], a[1], a[2], 1e-5), a -> {
            NDArray mean = a[0].mean(new int[] {-1}, true);
            NDArray c = a[0].sub(mean);
            NDArray var = c.square().mean(new int[] {-1}, true);
            return c.div(var.add(1e-5).sqrt()).mul(a[1]).add(a[2]);
        }, x, w, b);
    }

    @Test
    void siluMatchesComposed() {
        NDArray x = Autograd.random(m, 40, 4.0, 5, 7);
        assertSame(a -> Ops.silu(a[0]), a -> a[0].mul(Activation.sigmoid(a[0])), x);
    }

    @Test
    void crossEntropyMatchesFusedLibtorchLoss() {
        NDArray logits = Autograd.random(m, 50, 3.0, 6, 11);
        NDArray labels = m.create(new long[] {3, -100, 0, 10, -100, 7});
        assertSame(a -> Ops.crossEntropy(a[0], labels, -100),
                a -> Dispatcher.op("aten::cross_entropy_loss", "").tensor(a[0]).tensor(labels).none()
                        .i64(1) /* Mean */.i64(-100).f64(0.0).call(a[0].getManager()),
                logits);
    }

    @Test
    void crossEntropyIsZeroWithZeroGradientWhenEverythingIsIgnored() {
        NDArray logits = Autograd.random(m, 51, 3.0, 2, 4);
        NDArray labels = m.create(new long[] {-100, -100});
        NDArray[] r = Autograd.run(m, a -> Ops.crossEntropy(a[0], labels, -100), logits);
        assertThat(r[0].getFloat()).isEqualTo(0f);
        assertThat(r[1].toFloatArray()).containsOnly(0f);
    }

    @Test
    void crossEntropyHandComputed() {
        // logits row [0, ln 3]: p(label 1) = 3/4, loss = ln(4/3); second row ignored
        NDArray logits = m.create(new float[] {0f, (float) Math.log(3), 5f, 1f}, new Shape(2, 2));
        NDArray loss = Ops.crossEntropy(logits, m.create(new long[] {1, 7}), 7);
        assertThat(loss.getFloat()).isCloseTo((float) Math.log(4.0 / 3.0), org.assertj.core.data.Offset.offset(1e-7f));
    }

    @Test
    void activationsMatchTheirFormulas() {
        float[] xs = {-3.5f, -1f, -0.25f, 0f, 0.5f, 1f, 2f, 4f};
        NDArray x = m.create(xs);
        float[] tanhGelu = Ops.geluTanh(x).toFloatArray();
        float[] quick = Ops.quickGelu(x).toFloatArray();
        float[] silu = Ops.silu(x).toFloatArray();
        for (int i = 0; i < xs.length; i++) {
            double v = xs[i];
            double expectTanh = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            assertThat((double) tanhGelu[i]).isCloseTo(expectTanh, org.assertj.core.data.Offset.offset(2e-6 * (1 + Math.abs(v))));
            assertThat((double) quick[i]).isCloseTo(v / (1 + Math.exp(-1.702 * v)), org.assertj.core.data.Offset.offset(2e-6 * (1 + Math.abs(v))));
            assertThat((double) silu[i]).isCloseTo(v / (1 + Math.exp(-v)), org.assertj.core.data.Offset.offset(2e-6 * (1 + Math.abs(v))));
        }
        // exact GELU = x * Phi(x); Phi(1) = 0.8413447460685429, Phi(-1) = 0.15865525393145707
        float[] gelu = Ops.gelu(m.create(new float[] {1f, -1f})).toFloatArray();
        assertThat(gelu[0]).isCloseTo(0.8413447f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(gelu[1]).isCloseTo(-0.15865526f, org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void rmsNormHandComputed() {
        // x = [1,2,3,4]: mean(x^2) = 7.5; y = w * x / sqrt(7.5 + eps)
        NDArray x = m.create(new float[] {1, 2, 3, 4, -2, 0, 0, 2}, new Shape(2, 4));
        NDArray w = m.create(new float[] {1f, 0.5f, 2f, -1f});
        float[] y = Ops.rmsNorm(x, w, 1e-6).toFloatArray();
        double r0 = Math.sqrt(7.5 + 1e-6);
        double r1 = Math.sqrt(2 + 1e-6);
        double[] expected = {1 / r0, 0.5 * 2 / r0, 2 * 3 / r0, -4 / r0, -2 / r1, 0, 0, -2 / r1};
        for (int i = 0; i < y.length; i++) {
            assertThat((double) y[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void rmsNormGradientMatchesComposed() {
        NDArray x = Autograd.random(m, 60, 2.0, 3, 8);
        NDArray w = Autograd.random(m, 61, 1.0, 8);
        assertSame(a -> Ops.rmsNorm(a[0], a[1], 1e-6),
                a -> a[0].div(a[0].square().mean(new int[] {-1}, true).add(1e-6).sqrt()).mul(a[1]), x, w);
    }
}
