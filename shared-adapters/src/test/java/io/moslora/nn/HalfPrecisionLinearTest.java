package io.moslora.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.moslora.engine.Bf16Guard;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class HalfPrecisionLinearTest {
    private NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    private NDArray random(long seed, long... shape) {
        Random r = new Random(seed);
        Shape s = new Shape(shape);
        float[] v = new float[(int) s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return m.create(v, s);
    }

    private Linear linear(long seed) {
        Linear l = new Linear(32, 12, true);
        l.weight().set(random(seed, 12, 32));
        l.parameter("bias").set(random(seed + 1, 12));
        return l;
    }

    /** Unit roundoff: 2^-11 for fp16, 2^-8 for bf16. */
    private static double eps(Precision p) {
        return p == Precision.FP16 ? Math.pow(2, -11) : Math.pow(2, -8);
    }

    /** Output and d sum(y * probe) / dx, on a fresh leaf copy of x. */
    private NDArray[] forwardAndInputGradient(Layer layer, NDArray x, NDArray probe) {
        NDArray leaf = x.duplicate();
        leaf.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = layer.forward(leaf);
            gc.backward(y.mul(probe).sum());
            return new NDArray[] {y.stopGradient(), leaf.getGradient()};
        }
    }

    @ParameterizedTest
    @EnumSource(value = Precision.class, names = {"FP16", "BF16"})
    void storesWeightsHalfAndComputesWithinHalfToleranceWithGradientsToTheInput(Precision p) {
        Linear reference = linear(7);
        Linear source = linear(7);
        HalfPrecisionLinear half = new HalfPrecisionLinear(source, p);
        assertThat(Bf16Guard.dataType(half.parameter("weight").array())).isEqualTo(p.storageType());
        assertThat(Bf16Guard.dataType(half.parameter("bias").array())).isEqualTo(p.storageType());
        assertThat(half.parameter("weight")).isSameAs(source.weight()); // same slot: state-dict keys unchanged
        assertThat(half.parameter("weight").trainable()).isFalse();

        NDArray x = random(3, 2, 5, 32);
        NDArray probe = random(4, 2, 5, 12);
        NDArray[] got = forwardAndInputGradient(half, x, probe);
        NDArray[] want = forwardAndInputGradient(reference, x, probe);
        assertThat(got[0].getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(got[1].getDataType()).isEqualTo(DataType.FLOAT32);

        // bounds: rounding of x, W (and the result) each adds at most eps relative to sum |x||W| (+|b|)
        NDArray w = reference.weight().array();
        float[] magY = x.abs().matMul(w.abs().transpose()).add(reference.parameter("bias").array().abs()).toFloatArray();
        float[] magG = probe.abs().matMul(w.abs()).toFloatArray();
        assertWithin(got[0].toFloatArray(), want[0].toFloatArray(), magY, 4 * eps(p));
        assertWithin(got[1].toFloatArray(), want[1].toFloatArray(), magG, 4 * eps(p));
        // and it really ran in the half type: the results differ from float32
        assertThat(got[0].sub(want[0]).abs().max().getFloat()).isGreaterThan(0f);

        // the dense weight is the stored one widened, exactly
        assertThat(half.denseWeight().toFloatArray())
                .containsExactly(Precision.widen(p.narrow(w)).toFloatArray());
    }

    private static void assertWithin(float[] got, float[] want, float[] magnitude, double relative) {
        for (int i = 0; i < got.length; i++) {
            assertThat((double) Math.abs(got[i] - want[i])).as("element %d", i)
                    .isLessThanOrEqualTo(relative * magnitude[i] + 1e-6);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Precision.class, names = {"FP16", "BF16"})
    void embeddingLooksUpTheRoundedRowsInFloat32(Precision p) {
        Embedding source = new Embedding(10, 6);
        NDArray table = random(11, 10, 6);
        source.weight().set(table.duplicate());
        HalfPrecisionEmbedding half = new HalfPrecisionEmbedding(source, p);
        assertThat(Bf16Guard.dataType(half.weight().array())).isEqualTo(p.storageType());
        NDArray ids = m.create(new long[] {3, 0, 9, 3}, new Shape(2, 2));
        NDArray rows = half.forward(ids);
        assertThat(rows.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(rows.getShape()).isEqualTo(new Shape(2, 2, 6));
        NDArray rounded = Precision.widen(p.narrow(table));
        assertThat(rows.toFloatArray()).containsExactly(rounded.get(ids.flatten()).toFloatArray());
    }

    @Test
    void convertsPlainLinearsOnlyAndHalvesTheirBytes() {
        Linear a = linear(1);
        Linear b = linear(2);
        Module root = new Container();
        root.addChild("a", a);
        Module inner = root.addChild("inner", new Container());
        inner.addChild("b", b);
        long before = weightBytes(root);
        assertThat(HalfPrecisionBase.convertLinears(root, Precision.FP32)).isEmpty();
        assertThat(HalfPrecisionBase.convertLinears(root, Precision.FP16)).containsExactly("a", "inner.b");
        assertThat(root.get("inner.b")).isInstanceOf(HalfPrecisionLinear.class);
        assertThat(root.namedParameters().keySet()).containsExactly("a.weight", "a.bias", "inner.b.weight", "inner.b.bias");
        assertThat(weightBytes(root) * 2).isEqualTo(before);
        // converting again finds no plain Linear left
        assertThat(HalfPrecisionBase.convertLinears(root, Precision.BF16)).isEmpty();
        assertThatThrownBy(() -> new HalfPrecisionLinear(linear(3), Precision.FP32))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static long weightBytes(Module root) {
        return root.distinctParameters().stream()
                .mapToLong(q -> q.numel() * Bf16Guard.dataType(q.array()).getNumOfBytes()).sum();
    }

    @ParameterizedTest
    @EnumSource(value = Precision.class, names = {"FP16", "BF16"})
    void anAdapterAroundAHalfBaseTrainsInFp32(Precision p) {
        Module root = new Container();
        HalfPrecisionLinear half = new HalfPrecisionLinear(linear(5), p);
        root.addChild("q_proj", half);
        io.moslora.adapters.AdapterInjector.inject(root,
                io.moslora.adapters.AdapterConfig.of(io.moslora.adapters.AdapterKind.MOSLORA, 4, 8, java.util.List.of("q_proj")), m);
        var adapter = (io.moslora.adapters.LoraLinear) root.get("q_proj");
        assertThat(adapter.child("base_layer")).isSameAs(half);
        root.trainableParameters().forEach((k, q) ->
                assertThat(q.array().getDataType()).as(k).isEqualTo(DataType.FLOAT32));
        assertThat(root.trainableParameters()).hasSize(3); // A, the mixer, B: the half base stays frozen
        NDArray x = random(8, 3, 32);
        NDArray probe = random(9, 3, 12);
        NDArray[] got = forwardAndInputGradient(adapter, x, probe);
        // B starts at zero: exactly the half base's output, and the adapter's B gets an fp32 gradient
        assertThat(got[0].toFloatArray()).containsExactly(half.forward(x).toFloatArray());
        NDArray gradB = adapter.loraB().weight().array().getGradient();
        assertThat(gradB.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(gradB.abs().sum().getFloat()).isGreaterThan(0f);
    }

    @Test
    void parsesConfigNames() {
        assertThat(Precision.parseOrNull("BF16")).isEqualTo(Precision.BF16);
        assertThat(Precision.parseOrNull("fp16")).isEqualTo(Precision.FP16);
        assertThat(Precision.parseOrNull("fp8")).isNull();
    }
}
