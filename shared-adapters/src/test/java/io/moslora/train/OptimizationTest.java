package io.moslora.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.moslora.nn.Init;
import io.moslora.nn.Parameter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizationTest {
    @Test
    void adamWMatchesTheTorchFormulaStepByStep() {
        float[] c = {0.5f, -3f, 2f};
        double[] ref = {1, -2, 0.25};
        double[] m = new double[3];
        double[] v = new double[3];
        double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.01;
        try (NDManager root = NDManager.newBaseManager()) {
            Parameter p = new Parameter(new Shape(3), Init.zeros());
            p.set(root.create(new float[] {1, -2, 0.25f}));
            AdamW opt = new AdamW(Map.of("w", p), root, b1, b2, eps, wd);
            NDArray coef = root.create(c);
            for (int t = 1; t <= 4; t++) {
                try (NDManager step = root.newSubManager()) {
                    opt.zeroGradients();
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        // loss = Σ w·c·t → gradient c·t (changes every step, so stale gradients would show)
                        NDArray loss = p.array().mul(coef).mul(t).sum();
                        gc.backward(loss);
                    }
                    opt.step(lr, step);
                }
                for (int i = 0; i < 3; i++) {
                    double g = c[i] * t;
                    ref[i] *= 1 - lr * wd;
                    m[i] = b1 * m[i] + (1 - b1) * g;
                    v[i] = b2 * v[i] + (1 - b2) * g * g;
                    double mh = m[i] / (1 - Math.pow(b1, t));
                    double vh = v[i] / (1 - Math.pow(b2, t));
                    ref[i] -= lr * mh / (Math.sqrt(vh) + eps);
                }
                float[] got = p.array().toFloatArray();
                for (int i = 0; i < 3; i++) {
                    assertThat((double) got[i]).isCloseTo(ref[i], within(1e-6));
                }
            }
        }
    }

    @Test
    void aParameterGroupUsesItsOwnLearningRateFactorAndWeightDecay() {
        // torch: param_groups [{params: [u]}, {params: [t], lr: lr·0.25, weight_decay: 0.1}], loss = 2u + 3t per step
        double lr = 0.1, wd = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        try (NDManager root = NDManager.newBaseManager()) {
            Parameter u = new Parameter(new Shape(1), Init.zeros());
            Parameter t = new Parameter(new Shape(1), Init.zeros());
            u.set(root.create(new float[] {1f}));
            t.set(root.create(new float[] {-2f}));
            AdamW opt = new AdamW(Map.of("u", u, "t", t), root, b1, b2, eps, wd,
                    Map.of("t", new AdamW.Group(0.25, 0.1)));
            double[] ref = {1, -2};
            double[] grad = {2, 3};
            double[] lrs = {lr, lr * 0.25};
            double[] wds = {wd, 0.1};
            double[] m = new double[2];
            double[] v = new double[2];
            for (int step = 1; step <= 3; step++) {
                try (NDManager s = root.newSubManager()) {
                    opt.zeroGradients();
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(u.array().mul(2).add(t.array().mul(3)).sum());
                    }
                    opt.step(lr, s);
                }
                for (int i = 0; i < 2; i++) {
                    ref[i] *= 1 - lrs[i] * wds[i];
                    m[i] = b1 * m[i] + (1 - b1) * grad[i];
                    v[i] = b2 * v[i] + (1 - b2) * grad[i] * grad[i];
                    ref[i] -= lrs[i] * (m[i] / (1 - Math.pow(b1, step))) / (Math.sqrt(v[i] / (1 - Math.pow(b2, step))) + eps);
                }
                assertThat((double) u.array().getFloat(0)).isCloseTo(ref[0], within(1e-6));
                assertThat((double) t.array().getFloat(0)).isCloseTo(ref[1], within(1e-6));
            }
        }
    }

    @Test
    void clippingScalesTheGlobalNormToTheMaximum() {
        try (NDManager root = NDManager.newBaseManager(); NDManager step = root.newSubManager()) {
            Parameter a = new Parameter(new Shape(2), Init.zeros());
            Parameter b = new Parameter(new Shape(1), Init.zeros());
            a.set(root.create(new float[] {1, 1}));
            b.set(root.create(new float[] {1}));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                // gradients (3, 0) and (4): global norm 5
                gc.backward(a.array().mul(root.create(new float[] {3, 0})).sum().add(b.array().mul(4).sum()));
            }
            double norm = GradientClipping.clipByGlobalNorm(List.of(a, b), 1.0, step);
            assertThat(norm).isCloseTo(5.0, within(1e-6));
            assertThat(a.array().getGradient().toFloatArray()[0]).isCloseTo(0.6f, within(1e-6f));
            assertThat(b.array().getGradient().toFloatArray()[0]).isCloseTo(0.8f, within(1e-6f));
        }
    }

    @Test
    void schedulesFollowTheTransformersFormulas() {
        LrSchedule cos = new LrSchedule(LrSchedule.Kind.COSINE, 1e-3, 10, 110);
        assertThat(cos.at(0)).isEqualTo(0.0);
        assertThat(cos.at(5)).isCloseTo(5e-4, within(1e-15));
        assertThat(cos.at(10)).isCloseTo(1e-3, within(1e-15));
        assertThat(cos.at(60)).isCloseTo(5e-4, within(1e-15)); // halfway: cos(π/2) = 0
        assertThat(cos.at(110)).isCloseTo(0.0, within(1e-15));
        LrSchedule lin = new LrSchedule(LrSchedule.Kind.LINEAR, 2.0, 0, 4);
        assertThat(lin.at(1)).isEqualTo(1.5);
        assertThat(LrSchedule.withWarmupRatio(LrSchedule.Kind.COSINE, 1, 0.03, 1000).warmupSteps()).isEqualTo(30);
        assertThat(new LrSchedule(LrSchedule.Kind.CONSTANT, 1e-4, 0, 500).at(499)).isEqualTo(1e-4);
    }
}
