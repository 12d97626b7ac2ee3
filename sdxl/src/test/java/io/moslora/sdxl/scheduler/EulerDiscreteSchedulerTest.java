package io.moslora.sdxl.scheduler;

import io.moslora.config.SchedulerConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class EulerDiscreteSchedulerTest {
    private final DdpmNoiseSchedule schedule = DdpmNoiseSchedule.sdxl();

    @Test
    void fiftyLeadingStepsAsSdxlRunsThem() {
        EulerDiscreteScheduler.Run run = new EulerDiscreteScheduler(Configs.sdxl()).start(50);
        // leading: step ratio 1000 // 50 = 20; timesteps 49·20+1 = 981, 961, ..., 21, 1
        double[] t = run.timesteps();
        assertThat(t).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(t[i]).isEqualTo(981 - 20 * i);
        }
        // σ_i = √((1−ᾱ_t)/ᾱ_t): σ(981) = √(0.994224499860504/0.005775500139496) = 13.120410742553977,
        // σ(961) = √(0.992718272859057/0.007281727140943) = 11.676046271897636; a final 0 is appended
        double[] sigmas = run.sigmas();
        assertThat(sigmas).hasSize(51);
        assertThat(sigmas[0]).isCloseTo(13.120410742553977, within(1e-11));
        assertThat(sigmas[1]).isCloseTo(11.676046271897636, within(1e-11));
        assertThat(sigmas[49]).isCloseTo(schedule.sigma(1), within(1e-15));
        assertThat(sigmas[50]).isZero();
        // leading spacing: initial noise std √(σ_0² + 1) = 13.158464122127848
        assertThat(run.initNoiseSigma()).isCloseTo(13.158464122127848, within(1e-11));
    }

    @Test
    void trailingAndLinspaceSpacings() {
        SchedulerConfig trailing = Configs.sdxlWith("timestep_spacing", "trailing", "steps_offset", 0);
        // round(arange(1000, 0, −100)) − 1
        assertThat(new EulerDiscreteScheduler(trailing).start(10).timesteps())
                .containsExactly(999, 899, 799, 699, 599, 499, 399, 299, 199, 99);
        // round(arange(1000, 0, −1000/3 = 333.33)) − 1 = 1000, 667, 333 − 1
        assertThat(new EulerDiscreteScheduler(trailing).start(3).timesteps()).containsExactly(999, 666, 332);
        // trailing starts at the last training step: init noise σ_max itself
        assertThat(new EulerDiscreteScheduler(trailing).start(10).initNoiseSigma())
                .isCloseTo(14.614641229333639, within(1e-11));
        // linspace(0, 999, 4) reversed; fractional ones keep their fraction and interpolate σ
        SchedulerConfig linspace = Configs.sdxlWith("timestep_spacing", "linspace", "steps_offset", 0);
        assertThat(new EulerDiscreteScheduler(linspace).start(4).timesteps()).containsExactly(999, 666, 333, 0);
        EulerDiscreteScheduler.Run five = new EulerDiscreteScheduler(linspace).start(5);
        assertThat(five.timesteps()).containsExactly(999, 749.25, 499.5, 249.75, 0);
        // σ(749.25) = σ(749) + 0.25·(σ(750) − σ(749))
        assertThat(five.sigmas()[1]).isCloseTo(
                schedule.sigma(749) + 0.25 * (schedule.sigma(750) - schedule.sigma(749)), within(1e-14));
    }

    @Test
    void oneStepOnAConstantLatentAndNoisePair() {
        try (NDManager m = NDManager.newBaseManager()) {
            EulerDiscreteScheduler.Run run = new EulerDiscreteScheduler(Configs.sdxl()).start(50);
            NDArray sample = F64.constant(m, 1.0, 1, 4, 2, 2);
            NDArray eps = F64.constant(m, 0.5, 1, 4, 2, 2);
            // model input: x/√(σ_0²+1) = 1/13.158464122127848 = 0.07599671137289923
            for (double v : run.scaleModelInput(sample, 0).toDoubleArray()) {
                assertThat(v).isCloseTo(0.07599671137289923, within(1e-15));
            }
            // x' = x + ε·(σ_1 − σ_0) = 1 + 0.5·(11.676046271897636 − 13.120410742553977) = 0.2778177646718296
            double[] next = run.step(eps, 0, sample).toDoubleArray();
            for (double v : next) {
                assertThat(v).isCloseTo(0.2778177646718296, within(1e-12));
            }
            // v-prediction: x̂₀ = −σ/√(σ²+1)·v + x/(σ²+1), then the same Euler update from (x − x̂₀)/σ
            EulerDiscreteScheduler.Run vrun = new EulerDiscreteScheduler(
                    Configs.sdxlWith("prediction_type", "v_prediction")).start(50);
            double s0 = run.sigmas()[0];
            double s1 = run.sigmas()[1];
            double x0 = -s0 / Math.sqrt(s0 * s0 + 1) * 0.5 + 1 / (s0 * s0 + 1);
            double expected = 1 + (1 - x0) / s0 * (s1 - s0);
            assertThat(vrun.step(eps, 0, sample).toDoubleArray()[0]).isCloseTo(expected, within(1e-12));
        }
    }

    @Test
    void pointMassDataIsReachedExactly() {
        // data = c everywhere: ideal ε̂ = (x − c)/σ, so x' − c = (x − c)·σ'/σ and the last step (σ' = 0) lands on c
        try (NDManager m = NDManager.newBaseManager()) {
            EulerDiscreteScheduler.Run run = new EulerDiscreteScheduler(Configs.sdxl()).start(30);
            NDArray c = F64.of(m, 0.3, -1.2, 2.0);
            NDArray x = c.add(F64.of(m, 1.0, -0.5, 0.25).mul(run.sigmas()[0]));
            for (int i = 0; i < run.steps(); i++) {
                NDArray eps = x.sub(c).div(run.sigmas()[i]);
                x = run.step(eps, i, x);
            }
            assertThat(x.toDoubleArray()).containsExactly(new double[] {0.3, -1.2, 2.0}, within(1e-12));
        }
    }

    @Test
    void gaussianDataFollowsTheExactOdeToFirstOrder() {
        // data ~ N(0, s²): x = x₀ + σε has std √(s²+σ²); the ideal ε̂ = σ·x/(s²+σ²) and the ODE solution keeps
        // x/√(s²+σ²) constant. Compared half-way (near t = 500; close to t = 0 a uniform
        // t-grid has λ-steps that do not shrink with more steps), Euler's error halves when the steps double.
        double e25 = gaussianError(25);
        double e50 = gaussianError(50);
        double e100 = gaussianError(100);
        assertThat(e100).isLessThan(1e-3);
        assertThat(e25 / e50).isBetween(1.6, 2.6);
        assertThat(e50 / e100).isBetween(1.6, 2.6);
    }

    private static double gaussianError(int steps) {
        double s = 0.5;
        try (NDManager m = NDManager.newBaseManager()) {
            EulerDiscreteScheduler.Run run = new EulerDiscreteScheduler(Configs.sdxl()).start(steps);
            double[] sig = run.sigmas();
            NDArray x = F64.of(m, 1.0);
            for (int i = 0; i < steps / 2; i++) {
                x = run.step(x.mul(sig[i] / (s * s + sig[i] * sig[i])), i, x);
            }
            double last = sig[steps / 2];
            double exact = Math.sqrt(s * s + last * last) / Math.sqrt(s * s + sig[0] * sig[0]);
            return Math.abs(x.toDoubleArray()[0] - exact) / exact;
        }
    }
}
