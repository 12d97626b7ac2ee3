package io.moslora.sdxl.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class DpmSolverPlusPlus2MSchedulerTest {
    private final DdpmNoiseSchedule schedule = DdpmNoiseSchedule.sdxl();

    @Test
    void leadingTimestepsUseStepsPlusOneIntervals() {
        DpmSolverPlusPlus2MScheduler.Run run = new DpmSolverPlusPlus2MScheduler(Configs.sdxl()).start(50);
        // step ratio 1000 // 51 = 19: 50·19+1 = 951, 932, 913, ..., 39, 20
        double[] t = run.timesteps();
        assertThat(t).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(t[i]).isEqualTo(951 - 19 * i);
        }
        assertThat(run.sigmas()[0]).isCloseTo(schedule.sigma(951), within(1e-15));
        assertThat(run.sigmas()[50]).isZero();
        assertThat(run.initNoiseSigma()).isEqualTo(1.0);
    }

    @Test
    void firstOrderThenMidpointSecondOrderStepByHand() {
        // σ(951) = 11.02833116477522, σ(932) = 9.917171864106075, σ(913) = 8.943598697113242;
        // α = 1/√(σ²+1), σ_vp = σα, λ = log α − log σ_vp = −log σ
        // step 0 (first order), x = 1, ε = 0.5: x̂₀ = (1 − σ_vp·0.5)/α = 5.559410546395376,
        //   h = λ_1 − λ_0, x₁ = (σ_vp1/σ_vp0)·1 − α_1(e^{−h} − 1)·x̂₀ = 1.0552331705067297
        // step 1 (midpoint), ε = 0.25: x̂₀' = (x₁ − σ_vp1·0.25)/α_1 = 8.038703512421895,
        //   h = 0.10332973929012867, r = h_prev/h = 1.027775126355707, D = x̂₀' + (x̂₀' − x̂₀)/(2r),
        //   x₂ = (σ_vp2/σ_vp1)·x₁ − α_2(e^{−h} − 1)·D = 1.1548648549936342
        try (NDManager m = NDManager.newBaseManager();
                DpmSolverPlusPlus2MScheduler.Run run = new DpmSolverPlusPlus2MScheduler(Configs.sdxl()).start(50)) {
            NDArray x1;
            try (NDManager step = m.newSubManager()) {
                x1 = run.step(F64.of(step, 0.5), 0, F64.of(step, 1.0));
                x1.attach(m);
            } // the step's manager is gone; the run keeps its own copy of x̂₀
            assertThat(x1.toDoubleArray()[0]).isCloseTo(1.0552331705067297, within(1e-12));
            NDArray x2 = run.step(F64.of(m, 0.25), 1, x1);
            assertThat(x2.toDoubleArray()[0]).isCloseTo(1.1548648549936342, within(1e-12));
            assertThatThrownBy(() -> run.step(F64.of(m, 0.25), 5, x2)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void pointMassIsReachedExactlyAndTheLastStepReturnsTheDataPrediction() {
        // data = c: x̂₀ = c at every step, the second-order correction vanishes, and DPM-Solver++ is exact for a
        // constant x̂₀; the final step into σ = 0 returns x̂₀ = c
        for (PredictionType type : PredictionType.values()) {
            try (NDManager m = NDManager.newBaseManager();
                    DpmSolverPlusPlus2MScheduler.Run run =
                            new DpmSolverPlusPlus2MScheduler(Configs.sdxlWith("prediction_type", type.configName())).start(20)) {
                NDArray c = F64.of(m, 0.3, -1.2);
                NDArray e = F64.of(m, 1.0, -0.5);
                double[] sig = run.sigmas();
                NDArray x = c.mul(alpha(sig[0])).add(e.mul(sig[0] * alpha(sig[0])));
                for (int i = 0; i < run.steps(); i++) {
                    double a = alpha(sig[i]);
                    double s = sig[i] * a;
                    NDArray eps = x.sub(c.mul(a)).div(s);
                    NDArray out = type == PredictionType.EPSILON ? eps : eps.mul(a).sub(c.mul(s));
                    x = run.step(out, i, x);
                    if (i < run.steps() - 1) {
                        // still on the exact trajectory x = α·c + σ·e
                        double a1 = alpha(sig[i + 1]);
                        assertThat(x.toDoubleArray()[0]).isCloseTo(0.3 * a1 + sig[i + 1] * a1, within(1e-12));
                    }
                }
                assertThat(x.toDoubleArray()).as(type.name()).containsExactly(new double[] {0.3, -1.2}, within(1e-12));
            }
        }
    }

    @Test
    void gaussianDataFollowsTheExactOdeToSecondOrder() {
        // data ~ N(0, s²), variance-preserving x = αx₀ + σε: ideal x̂₀ = α s² x/(α²s² + σ²), and the ODE keeps
        // x/√(α²s² + σ²) constant. Compared half-way (near t = 500; close to t = 0 a uniform
        // t-grid has λ-steps that do not shrink with more steps), the error falls about 4× when the steps double;
        // first-order steps only halve it (numpy with the same formulas: 2.8e-3, 7.4e-4, 1.9e-4 vs 9.2e-3, 4.4e-3, 2.1e-3).
        double e10 = gaussianError(10);
        double e20 = gaussianError(20);
        double e40 = gaussianError(40);
        assertThat(e40).isLessThan(2.5e-4);
        assertThat(e10 / e20).isGreaterThan(3.5);
        assertThat(e20 / e40).isGreaterThan(3.5);
    }

    private static double gaussianError(int steps) {
        double s = 0.5;
        try (NDManager m = NDManager.newBaseManager();
                DpmSolverPlusPlus2MScheduler.Run run = new DpmSolverPlusPlus2MScheduler(Configs.sdxl()).start(steps)) {
            double[] sig = run.sigmas();
            NDArray x = F64.of(m, 1.0);
            for (int i = 0; i < steps / 2; i++) {
                double a = alpha(sig[i]);
                double vs = sig[i] * a;
                double x0 = a * s * s / (a * a * s * s + vs * vs);
                // ε̂ = (x − α·x̂₀)/σ
                NDArray eps = x.sub(x.mul(a * x0)).div(vs);
                x = run.step(eps, i, x);
            }
            double exact = spread(sig[steps / 2], s) / spread(sig[0], s);
            return Math.abs(x.toDoubleArray()[0] - exact) / exact;
        }
    }

    /** √(α²s² + σ_vp²) at variance-exploding σ. */
    private static double spread(double sigma, double s) {
        double a = alpha(sigma);
        return Math.sqrt(a * a * s * s + sigma * a * sigma * a);
    }

    private static double alpha(double sigma) {
        return 1 / Math.sqrt(sigma * sigma + 1);
    }
}
