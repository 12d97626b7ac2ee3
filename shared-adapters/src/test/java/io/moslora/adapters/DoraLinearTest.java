package io.moslora.adapters;

import static io.moslora.adapters.LoraLinearTest.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.moslora.nn.Linear;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DoRA as PEFT computes it: {@code m ⊙ (W + s·B·A)x / ‖W + s·B·A‖_row + bias}, the norm a constant for autograd. */
class DoraLinearTest {
    static final int IN = 6;
    static final int OUT = 5;
    static final int R = 4;
    static final double S = 2.0; // alpha 8 / r 4
    NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(11);
    }

    @AfterEach
    void close() {
        m.close();
    }

    /** Base W[i][j] = (6i + j)/30, bias i − 2; A and B random when {@code trained}, and m moved off its start. */
    LoraLinear dora(DataType dtype, double dropout, boolean trained) {
        Linear base = new Linear(IN, OUT, true);
        base.materialize(m, dtype);
        base.weight().set(m.arange(0f, OUT * IN).reshape(OUT, IN).div(30f).toType(dtype, false));
        base.parameter("bias").set(m.arange(0f, OUT).sub(2f).toType(dtype, false));
        AdapterConfig c = new AdapterConfig(AdapterKind.DORA, R, 8, dropout, List.of("x"), null, false, List.of(),
                false, MixerInit.KAIMING, false, List.of(), null, null);
        LoraLinear dora = new LoraLinear(base, c);
        dora.materializeAdapter(m, dtype);
        if (trained) {
            dora.loraA().weight().set(m.randomNormal(0, 1, new Shape(R, IN), DataType.FLOAT32).toType(dtype, false));
            dora.loraB().weight().set(m.randomNormal(0, 0.3f, new Shape(OUT, R), DataType.FLOAT32).toType(dtype, false));
            NDArray mag = dora.magnitude().weight().array();
            dora.magnitude().weight().set(mag.mul(m.randomUniform(0.5f, 1.5f, new Shape(OUT), DataType.FLOAT32)
                    .toType(dtype, false)));
        }
        return dora;
    }

    NDArray x(DataType dtype) {
        return m.randomNormal(0, 1, new Shape(3, IN), DataType.FLOAT32).toType(dtype, false);
    }

    /** The formula written out, with the row norms n given (frozen when n is from another point). */
    NDArray reference(LoraLinear d, NDArray x, NDArray dropped, NDArray a, NDArray b, NDArray mag, NDArray n) {
        NDArray w = d.base().denseWeight();
        NDArray scale = mag.div(n);
        NDArray lora = dropped.matMul(a.transpose()).matMul(b.transpose()).mul(S);
        return d.base().forward(x).add(dropped.matMul(w.transpose()).mul(scale.sub(1))).add(lora.mul(scale));
    }

    NDArray rowNorms(LoraLinear d) {
        NDArray sum = d.base().denseWeight().add(d.loraB().weight().array().matMul(d.loraA().weight().array()).mul(S));
        return sum.square().sum(new int[] {1}).sqrt();
    }

    @Test
    void magnitudeStartsAtTheRowNormsOfWAndTheOutputIsExactlyTheBase() {
        LoraLinear d = dora(DataType.FLOAT32, 0, false);
        assertThat(d.magnitude().weight().shape()).isEqualTo(new Shape(OUT));
        double[] got = d.magnitude().weight().array().toType(DataType.FLOAT64, false).toDoubleArray();
        for (int i = 0; i < OUT; i++) {
            double sq = 0;
            for (int j = 0; j < IN; j++) {
                sq += Math.pow((IN * i + j) / 30.0, 2);
            }
            assertThat(got[i]).isCloseTo(Math.sqrt(sq), within(1e-6));
        }
        NDArray x = x(DataType.FLOAT32);
        assertThat(d.forward(x).toFloatArray()).containsExactly(d.base().forward(x).toFloatArray());
        // B = 0: as in LoRA only B and m can move first, and m gets a gradient
        backward(d, x);
        assertThat(d.loraA().weight().array().getGradient().abs().max().getFloat()).isEqualTo(0f);
        assertThat(d.loraB().weight().array().getGradient().abs().max().getFloat()).isGreaterThan(1e-3f);
        assertThat(d.magnitude().weight().array().getGradient().abs().max().getFloat()).isGreaterThan(1e-3f);
        assertThat(d.magnitude().weight().trainable()).isTrue();
        assertThat(d.base().denseWeight().hasGradient()).isFalse();
    }

    @Test
    void forwardIsPeftsFormulaAndMagnitudeTimesUnitRows() {
        LoraLinear d = dora(DataType.FLOAT64, 0, true);
        NDArray x = x(DataType.FLOAT64);
        NDArray a = d.loraA().weight().array();
        NDArray b = d.loraB().weight().array();
        NDArray mag = d.magnitude().weight().array();
        assertClose(d.forward(x), reference(d, x, x, a, b, mag, rowNorms(d)), 1e-12);
        // the same as x·W'ᵀ + bias with W' = m ⊙ (W + ΔW)/‖W + ΔW‖, whose rows have length m
        NDArray wPrime = d.base().denseWeight().add(d.deltaWeight());
        assertClose(wPrime.square().sum(new int[] {1}).sqrt(), mag, 1e-12);
        assertClose(d.forward(x), x.matMul(wPrime.transpose()).add(d.base().forward(x).sub(x.matMul(
                d.base().denseWeight().transpose()))), 1e-12);
    }

    @Test
    void dropoutFeedsBothTheRescaledBaseAndTheLowRankPathAsPeftDoes() {
        LoraLinear d = dora(DataType.FLOAT64, 0.5, true);
        NDArray x = x(DataType.FLOAT64);
        NDArray a = d.loraA().weight().array();
        NDArray b = d.loraB().weight().array();
        NDArray mag = d.magnitude().weight().array();
        d.train(true);
        Engine.getInstance().setRandomSeed(5);
        NDArray dropped = ai.djl.nn.norm.Dropout.dropout(x, 0.5f, true).singletonOrThrow();
        Engine.getInstance().setRandomSeed(5);
        NDArray y = d.forward(x);
        assertThat(dropped.eq(0).sum().getLong()).isGreaterThan(0); // the mask did drop something
        assertClose(y, reference(d, x, dropped, a, b, mag, rowNorms(d)), 1e-12);
        d.train(false); // no dropout outside training
        assertClose(d.forward(x), reference(d, x, x, a, b, mag, rowNorms(d)), 1e-12);
    }

    @Test
    void mergedForwardEqualsUnmergedAndUnmergeRestoresW() {
        LoraLinear d = dora(DataType.FLOAT32, 0, true);
        NDArray x = x(DataType.FLOAT32);
        NDArray before = d.base().denseWeight().duplicate();
        NDArray unmergedOut = d.forward(x);
        NDArray effective = d.denseWeight().duplicate();
        NDArray delta = d.deltaWeight().duplicate();
        d.merge();
        assertThat(d.isMerged()).isTrue();
        assertClose(d.forward(x), unmergedOut, 1e-5);
        assertClose(d.base().denseWeight(), effective, 1e-6);
        assertClose(d.base().denseWeight(), before.add(delta), 1e-6);
        assertClose(d.deltaWeight(), delta, 1e-5); // still merged − W while merged
        d.unmerge();
        assertClose(d.base().denseWeight(), before, 1e-6);
        assertClose(d.forward(x), unmergedOut, 1e-6);
    }

    @Test
    void gradientsOfAAndBAndMMatchFiniteDifferencesWithTheNormHeldConstant() {
        LoraLinear d = dora(DataType.FLOAT64, 0, true);
        NDArray x = x(DataType.FLOAT64);
        backward(d, x);
        NDArray n0 = rowNorms(d); // DoRA §4.3: the norm is a constant for the gradient
        NDArray a = d.loraA().weight().array();
        NDArray b = d.loraB().weight().array();
        NDArray mag = d.magnitude().weight().array();
        assertClose(d.forward(x), reference(d, x, x, a, b, mag, n0), 1e-12);
        // m: the norm does not depend on it, so the layer itself is the function
        checkGradient(mag, () -> loss(d.forward(x)), 1e-6);
        // A and B: the same formula with n frozen at n0
        checkGradient(a, () -> loss(reference(d, x, x, a, b, mag, n0)), 1e-6);
        checkGradient(b, () -> loss(reference(d, x, x, a, b, mag, n0)), 1e-6);
        // and the detachment is real: letting the norm move gives another derivative for A
        double[] analytic = a.getGradient().toDoubleArray();
        double[] values = a.toDoubleArray();
        double maxGap = 0;
        for (int i = 0; i < values.length; i++) {
            double full = centralDifference(a, values, i, () -> loss(d.forward(x)));
            maxGap = Math.max(maxGap, Math.abs(full - analytic[i]));
        }
        assertThat(maxGap).isGreaterThan(1e-3);
    }

    private void checkGradient(NDArray w, Supplier<Double> loss, double tol) {
        double[] analytic = w.getGradient().toDoubleArray();
        double[] values = w.toDoubleArray();
        for (int i = 0; i < values.length; i++) {
            double numeric = centralDifference(w, values, i, loss);
            assertThat(analytic[i]).isCloseTo(numeric, within(tol * Math.max(1, Math.abs(analytic[i]))));
        }
    }

    private static double centralDifference(NDArray w, double[] values, int i, Supplier<Double> loss) {
        double h = 1e-6;
        double orig = values[i];
        values[i] = orig + h;
        w.set(values);
        double plus = loss.get();
        values[i] = orig - h;
        w.set(values);
        double minus = loss.get();
        values[i] = orig;
        w.set(values);
        return (plus - minus) / (2 * h);
    }

    private static double loss(NDArray y) {
        return y.mul(y).sum().getDouble() * 0.5;
    }

    private static void backward(LoraLinear layer, NDArray x) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = layer.forward(x);
            gc.backward(y.mul(y).sum().mul(0.5));
        }
    }
}
