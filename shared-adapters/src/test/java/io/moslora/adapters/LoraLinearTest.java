package io.moslora.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoraLinearTest {
    static final int IN = 6;
    static final int OUT = 5;
    static final int R = 4;
    NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(7);
    }

    @AfterEach
    void close() {
        m.close();
    }

    /** A frozen base with fixed values, wrapped in an adapter whose A and B are non-zero random values. */
    LoraLinear adapter(AdapterKind kind, MixerInit init, DataType dtype, NDArray a, NDArray b) {
        Linear base = new Linear(IN, OUT, true);
        base.materialize(m, dtype);
        base.weight().set(m.arange(0f, OUT * IN).reshape(OUT, IN).div(30f).toType(dtype, false));
        base.parameter("bias").set(m.arange(0f, OUT).sub(2f).toType(dtype, false));
        LoraLinear lora = new LoraLinear(base, AdapterConfig.of(kind, R, 8, List.of("x")).withMixerInit(init));
        lora.materializeAdapter(m, dtype);
        if (a != null) {
            lora.loraA().weight().set(a.duplicate());
            lora.loraB().weight().set(b.duplicate());
        }
        return lora;
    }

    NDArray x(DataType dtype) {
        return m.randomNormal(0, 1, new Shape(3, IN), DataType.FLOAT32).toType(dtype, false);
    }

    @Test
    void identityMixerGivesExactlyLorasOutputAndGradients() {
        NDArray a = m.randomNormal(0, 1, new Shape(R, IN), DataType.FLOAT32);
        NDArray b = m.randomNormal(0, 1, new Shape(OUT, R), DataType.FLOAT32);
        LoraLinear lora = adapter(AdapterKind.LORA, MixerInit.KAIMING, DataType.FLOAT32, a, b);
        LoraLinear mos = adapter(AdapterKind.MOSLORA, MixerInit.IDENTITY, DataType.FLOAT32, a, b);
        NDArray x = x(DataType.FLOAT32);
        NDArray y1 = backward(lora, x);
        NDArray y2 = backward(mos, x);
        assertThat(y2.toFloatArray()).containsExactly(y1.toFloatArray());
        assertThat(mos.loraA().weight().array().getGradient().toFloatArray())
                .containsExactly(lora.loraA().weight().array().getGradient().toFloatArray());
        assertThat(mos.loraB().weight().array().getGradient().toFloatArray())
                .containsExactly(lora.loraB().weight().array().getGradient().toFloatArray());
    }

    @Test
    void butterflyMixerIsThePapersTwoSubspaceFormula() {
        NDArray a = m.randomNormal(0, 1, new Shape(R, IN), DataType.FLOAT64);
        NDArray b = m.randomNormal(0, 1, new Shape(OUT, R), DataType.FLOAT64);
        LoraLinear ts = adapter(AdapterKind.TS_MIXING, MixerInit.BUTTERFLY, DataType.FLOAT64, a, b);
        NDArray x = x(DataType.FLOAT64);
        // x(A1+A2)ᵀ(B1+B2)ᵀ·s with A = [A1; A2] (rows) and B = [B1 B2] (columns)
        NDArray aSum = a.get(":2, :").add(a.get("2:, :"));
        NDArray bSum = b.get(":, :2").add(b.get(":, 2:"));
        NDArray expected = ts.base().forward(x).add(x.matMul(aSum.transpose()).matMul(bSum.transpose()).mul(2.0));
        assertClose(ts.forward(x), expected, 1e-12);
        assertThat(ts.mixer().weight().trainable()).isFalse();
    }

    @Test
    void zeroMixerWithZeroBNeverTrainsWhileKaimingDoes() {
        LoraLinear zero = adapter(AdapterKind.MOSLORA, MixerInit.ZERO, DataType.FLOAT32, null, null);
        backward(zero, x(DataType.FLOAT32));
        for (Linear l : List.of(zero.loraA(), zero.mixer(), zero.loraB())) {
            assertThat(l.weight().array().getGradient().abs().max().getFloat()).isEqualTo(0f);
        }
        LoraLinear kaiming = adapter(AdapterKind.MOSLORA, MixerInit.KAIMING, DataType.FLOAT32, null, null);
        backward(kaiming, x(DataType.FLOAT32));
        assertThat(kaiming.loraB().weight().array().getGradient().abs().max().getFloat()).isGreaterThan(1e-3f);
        // B = 0 at the start, so A and M get no gradient yet — as in LoRA
        assertThat(kaiming.loraA().weight().array().getGradient().abs().max().getFloat()).isEqualTo(0f);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        NDArray a = m.randomNormal(0, 1, new Shape(R, IN), DataType.FLOAT64);
        NDArray b = m.randomNormal(0, 1, new Shape(OUT, R), DataType.FLOAT64);
        LoraLinear mos = adapter(AdapterKind.MOSLORA, MixerInit.ORTHOGONAL, DataType.FLOAT64, a, b);
        NDArray x = x(DataType.FLOAT64);
        backward(mos, x);
        for (Linear l : List.of(mos.loraA(), mos.mixer(), mos.loraB())) {
            NDArray w = l.weight().array();
            double[] analytic = w.getGradient().toDoubleArray();
            double[] values = w.toDoubleArray();
            double h = 1e-6;
            for (int i = 0; i < values.length; i++) {
                double orig = values[i];
                values[i] = orig + h;
                w.set(values);
                double plus = loss(mos, x);
                values[i] = orig - h;
                w.set(values);
                double minus = loss(mos, x);
                values[i] = orig;
                w.set(values);
                assertThat(analytic[i]).isCloseTo((plus - minus) / (2 * h), within(1e-6 * Math.max(1, Math.abs(analytic[i]))));
            }
        }
    }

    @Test
    void mergeThenUnmergeRestoresTheBaseAndMergedForwardIsUnchanged() {
        NDArray a = m.randomNormal(0, 1, new Shape(R, IN), DataType.FLOAT32);
        NDArray b = m.randomNormal(0, 1, new Shape(OUT, R), DataType.FLOAT32);
        LoraLinear mos = adapter(AdapterKind.MOSLORA, MixerInit.KAIMING, DataType.FLOAT32, a, b);
        NDArray x = x(DataType.FLOAT32);
        NDArray before = mos.base().denseWeight().duplicate();
        NDArray unmergedOut = mos.forward(x);
        mos.merge();
        assertClose(mos.forward(x), unmergedOut, 1e-5);
        assertClose(mos.base().denseWeight(), before.add(mos.deltaWeight()), 1e-6);
        mos.unmerge();
        assertClose(mos.base().denseWeight(), before, 1e-6);
        assertClose(mos.forward(x), unmergedOut, 1e-6);
    }

    @Test
    void mergeEverywhereFoldsEveryAdapterAndLeavesNoTemporariesInTheModelsManager() {
        LoraLinear mos = adapter(AdapterKind.MOSLORA, MixerInit.KAIMING, DataType.FLOAT32,
                m.randomNormal(0, 1, new Shape(R, IN), DataType.FLOAT32), m.randomNormal(0, 1, new Shape(OUT, R), DataType.FLOAT32));
        LoraLinear lora = adapter(AdapterKind.LORA, MixerInit.KAIMING, DataType.FLOAT32,
                m.randomNormal(0, 1, new Shape(R, IN), DataType.FLOAT32), m.randomNormal(0, 1, new Shape(OUT, R), DataType.FLOAT32));
        Module root = new Module() {};
        root.addChild("a", mos);
        root.addChild("b", lora);
        NDArray x = x(DataType.FLOAT32);
        NDArray mosOut = mos.forward(x);
        NDArray loraOut = lora.forward(x);
        Set<String> arrays = arrayIds(m);
        assertThat(LoraLinear.mergeEverywhere(root)).isEqualTo(2);
        // ΔW and the B·(M·A) product are freed once folded in: a real UNet would otherwise hold a copy per layer
        assertThat(arrayIds(m)).isEqualTo(arrays);
        assertThat(mos.isMerged()).isTrue();
        assertThat(lora.isMerged()).isTrue();
        assertClose(mos.forward(x), mosOut, 1e-5);
        assertClose(lora.forward(x), loraOut, 1e-5);
        Set<String> beforeUnmerge = arrayIds(m);
        mos.unmerge();
        assertThat(arrayIds(m)).isEqualTo(beforeUnmerge);
    }

    private static Set<String> arrayIds(NDManager manager) {
        return manager.getManagedArrays().stream().map(NDArray::getUid).collect(Collectors.toSet());
    }

    @Test
    void runtimeScaleMultipliesTheUpdateAndZeroIsExactlyTheBase() {
        NDArray a = m.randomNormal(0, 1, new Shape(R, IN), DataType.FLOAT64);
        NDArray b = m.randomNormal(0, 1, new Shape(OUT, R), DataType.FLOAT64);
        LoraLinear mos = adapter(AdapterKind.MOSLORA, MixerInit.KAIMING, DataType.FLOAT64, a, b);
        NDArray x = x(DataType.FLOAT64);
        NDArray base = mos.base().forward(x);
        NDArray update = mos.forward(x).sub(base); // B·M·A·x·α/r at scale 1
        assertThat(mos.scale()).isEqualTo(1.0);
        mos.setScale(0.5);
        assertClose(mos.forward(x), base.add(update.mul(0.5)), 1e-12);
        assertClose(mos.deltaWeight(), mos.loraB().weight().array().matMul(mos.effectiveA()).mul(2.0 * 0.5), 1e-12);
        Module root = new Module() {};
        root.addChild("layer", mos);
        assertThat(LoraLinear.setScaleEverywhere(root, 0.0)).isEqualTo(1);
        assertThat(mos.forward(x).toDoubleArray()).containsExactly(base.toDoubleArray()); // the base, bit for bit
        // merging folds in the scaled update; the scale cannot change until it is taken out again
        mos.setScale(0.5);
        mos.merge();
        assertClose(mos.forward(x), base.add(update.mul(0.5)), 1e-12);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> mos.setScale(1.0))
                .isInstanceOf(IllegalStateException.class);
        mos.unmerge();
        mos.setScale(1.0);
        assertClose(mos.forward(x), base.add(update), 1e-12);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> mos.setScale(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void plainLoraWithMixedAIsTheSameUpdate() {
        NDArray a = m.randomNormal(0, 1, new Shape(R, IN), DataType.FLOAT64);
        NDArray b = m.randomNormal(0, 1, new Shape(OUT, R), DataType.FLOAT64);
        LoraLinear mos = adapter(AdapterKind.MOSLORA, MixerInit.KAIMING, DataType.FLOAT64, a, b);
        LoraLinear plain = adapter(AdapterKind.LORA, MixerInit.KAIMING, DataType.FLOAT64, mos.effectiveA(), b);
        assertClose(plain.deltaWeight(), mos.deltaWeight(), 1e-12);
    }

    @Test
    void mixerInitsHaveTheirDefiningProperties() {
        NDArray k = MixerInit.KAIMING.create(m, 16, DataType.FLOAT32);
        assertThat(k.abs().max().getFloat()).isLessThanOrEqualTo(0.25f);
        NDArray q = MixerInit.ORTHOGONAL.create(m, 8, DataType.FLOAT64);
        // built in double, stored in float: orthogonal to float precision
        assertClose(q.matMul(q.transpose()), m.eye(8).toType(DataType.FLOAT64, false), 1e-6);
        float[] bf = MixerInit.BUTTERFLY.create(m, 4, DataType.FLOAT32).toFloatArray();
        assertThat(bf).containsExactly(1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1);
    }

    private double loss(Module layer, NDArray x) {
        NDArray y = ((LoraLinear) layer).forward(x);
        return y.mul(y).sum().getDouble() * 0.5;
    }

    private NDArray backward(LoraLinear layer, NDArray x) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = layer.forward(x);
            gc.backward(y.mul(y).sum().mul(0.5));
            return y;
        }
    }

    static void assertClose(NDArray actual, NDArray expected, double tol) {
        double[] a = actual.toType(DataType.FLOAT64, false).toDoubleArray();
        double[] e = expected.toType(DataType.FLOAT64, false).toDoubleArray();
        assertThat(a).hasSameSizeAs(e);
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i]).isCloseTo(e[i], within(tol * Math.max(1, Math.abs(e[i]))));
        }
    }
}
