package io.moslora.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.LoraLinear;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Linear4bitTest {
    static float[] gaussian(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) ((r.nextDouble() + r.nextDouble() + r.nextDouble() - 1.5) * 0.1);
        }
        return w;
    }

    /** out=25, in=40: 1000 weights, so blocks of 64 end with a partial one. */
    static QuantState state(boolean doubleQuant) {
        return QuantState.quantize(gaussian(1000, 7), new long[] {25, 40}, "float32", FourBitType.NF4, 64, doubleQuant);
    }

    @Test
    void forwardAndInputGradientEqualTheDenseLinearOnTheDequantizedWeight() {
        try (NDManager m = NDManager.newBaseManager()) {
            QuantState s = state(true);
            Linear4bit q = new Linear4bit(s, true, m);
            q.bias().set(m.create(gaussian(25, 3)));
            Linear dense = new Linear(40, 25, true);
            dense.weight().set(m.create(s.dequantize(), new Shape(25, 40)));
            dense.parameter("bias").set(q.bias().array().duplicate());
            dense.setTrainable(false);

            NDArray x1 = m.create(gaussian(3 * 40, 11), new Shape(3, 40));
            NDArray x2 = x1.duplicate();
            NDArray g = m.create(gaussian(3 * 25, 13), new Shape(3, 25));
            x1.setRequiresGradient(true);
            x2.setRequiresGradient(true);
            float[] yq;
            float[] yd;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = q.forward(x1);
                yq = y.toFloatArray();
                gc.backward(y.mul(g).sum());
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = dense.forward(x2);
                yd = y.toFloatArray();
                gc.backward(y.mul(g).sum());
            }
            assertThat(yq).containsExactly(yd);
            assertThat(x1.getGradient().toFloatArray()).containsExactly(x2.getGradient().toFloatArray());
            assertThat(q.trainableParameterCount()).isZero();
            assertThat(q.denseWeight().toFloatArray()).containsExactly(s.dequantize());
        }
    }

    @Test
    void halfInputsUseTheHalfDequantizationWrittenIntoTheTensor() {
        try (NDManager m = NDManager.newBaseManager()) {
            QuantState s = state(true);
            Linear4bit q = new Linear4bit(s, false, m);
            short[] bits = s.dequantizeHalf(FourBitKernels.best());
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocateDirect(bits.length * 2).order(java.nio.ByteOrder.nativeOrder());
            bytes.asShortBuffer().put(bits);
            NDArray w16 = io.moslora.engine.OwnedArrays.create(m, bytes, new Shape(25, 40), DataType.FLOAT16);
            NDArray x = m.create(gaussian(3 * 40, 11), new Shape(3, 40)).toType(DataType.FLOAT16, false);
            NDArray y = q.forward(x);
            assertThat(y.getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(y.contentEquals(x.matMul(w16.transpose()))).isTrue();
            assertThat(y.toType(DataType.FLOAT32, false).abs().max().getFloat()).isGreaterThan(0.01f);
        }
    }

    @Test
    void twoLayersInAChainKeepTheirOwnWeightsForBackward() {
        // both dequantize through the same per-thread scratch buffer: the first W must survive the second forward
        try (NDManager m = NDManager.newBaseManager()) {
            QuantState s1 = state(false);
            QuantState s2 = QuantState.quantize(gaussian(25 * 40, 21), new long[] {40, 25}, "float32",
                    FourBitType.NF4, 64, true);
            Linear4bit q1 = new Linear4bit(s1, false, m);
            Linear4bit q2 = new Linear4bit(s2, false, m);
            NDArray w1 = m.create(s1.dequantize(), new Shape(25, 40));
            NDArray w2 = m.create(s2.dequantize(), new Shape(40, 25));
            NDArray x1 = m.create(gaussian(2 * 40, 31), new Shape(2, 40));
            NDArray x2 = x1.duplicate();
            x1.setRequiresGradient(true);
            x2.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(q2.forward(q1.forward(x1).tanh()).sum());
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(x2.matMul(w1.transpose()).tanh().matMul(w2.transpose()).sum());
            }
            assertThat(x1.getGradient().toFloatArray()).containsExactly(x2.getGradient().toFloatArray());
        }
    }

    @Test
    void keepsNoDenseWeightBetweenForwards() {
        try (NDManager model = NDManager.newBaseManager()) {
            Linear4bit q = new Linear4bit(state(false), false, model);
            try (NDManager step = model.newSubManager()) {
                q.forward(step.ones(new Shape(2, 40)));
            }
            // only what the step made was created, and it went with the step
            assertThat(model.getManagedArrays()).isEmpty();
            assertThat(q.namedParameters()).isEmpty();
        }
    }

    @Test
    void adaptersWrapItAndAnInPlaceMergePointsToTheQuantMergePolicies() {
        try (NDManager m = NDManager.newBaseManager()) {
            Module root = new Module() {};
            root.addChild("proj", new Linear4bit(state(true), false, m));
            AdapterInjector.inject(root, AdapterConfig.of(AdapterKind.MOSLORA, 4, 8, List.of("proj")), m);
            LoraLinear lora = (LoraLinear) root.get("proj");
            assertThat(lora.base()).isInstanceOf(Linear4bit.class);
            assertThat(root.trainableParameters().keySet())
                    .containsExactly("proj.lora_A.weight", "proj.lora_AB.weight", "proj.lora_B.weight");
            // B starts at zero: the wrapped layer computes exactly the 4-bit base
            NDArray x = m.create(gaussian(80, 5), new Shape(2, 40));
            assertThat(lora.forward(x).toFloatArray()).containsExactly(lora.base().forward(x).toFloatArray());
            assertThatThrownBy(lora::merge).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("Linear4bit").hasMessageContaining("io.moslora.quant.QuantMerge");
        }
    }
}
