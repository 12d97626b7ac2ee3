package io.moslora.sdxl.scheduler;

import io.moslora.config.SchedulerConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class DdimSchedulerTest {
    private final DdpmNoiseSchedule schedule = DdpmNoiseSchedule.sdxl();

    @Test
    void leadingTimestepsAndTheFinalAlpha() {
        DdimScheduler.Run run = new DdimScheduler(Configs.sdxl()).start(50);
        assertThat(run.timesteps()[0]).isEqualTo(981);
        assertThat(run.timesteps()[49]).isEqualTo(1);
        assertThat(run.initNoiseSigma()).isEqualTo(1.0);
        // 981 steps to 961
        assertThat(run.alphaCumprodPrev(0)).isEqualTo(schedule.alphaCumprod(961));
        // the last step from t=1 goes to 1 − 20 < 0: ᾱ_0 with set_alpha_to_one=false (SDXL), 1 with true
        assertThat(run.alphaCumprodPrev(49)).isEqualTo(0.99915, within(1e-15));
        SchedulerConfig toOne = Configs.sdxlWith("set_alpha_to_one", true);
        assertThat(new DdimScheduler(toOne).start(50).alphaCumprodPrev(49)).isEqualTo(1.0);
    }

    @Test
    void oneStepOnAConstantLatentAndNoisePair() {
        try (NDManager m = NDManager.newBaseManager()) {
            DdimScheduler.Run run = new DdimScheduler(Configs.sdxl()).start(50);
            NDArray sample = F64.constant(m, 1.0, 1, 4, 2, 2);
            NDArray eps = F64.constant(m, 0.5, 1, 4, 2, 2);
            // ᾱ_981 = 0.005775500139495751, ᾱ_961 = 0.007281727140942984
            // x̂₀ = (1 − √(1−ᾱ_981)·0.5)/√ᾱ_981 = (1 − 0.498554...)/0.0759967... = 6.5784...
            // x' = √ᾱ_961·x̂₀ + √(1−ᾱ_961)·0.5 = 1.0612256978197867
            double a = 0.005775500139495751;
            double ap = 0.007281727140942984;
            double x0 = (1 - Math.sqrt(1 - a) * 0.5) / Math.sqrt(a);
            double expected = Math.sqrt(ap) * x0 + Math.sqrt(1 - ap) * 0.5;
            assertThat(expected).isCloseTo(1.0612256978197867, within(1e-13));
            assertThat(run.scaleModelInput(sample, 0)).isSameAs(sample);
            for (double v : run.step(eps, 0, sample).toDoubleArray()) {
                assertThat(v).isCloseTo(expected, within(1e-12));
            }
        }
    }

    @Test
    void pointMassStaysOnItsTrajectoryForEpsilonAndVelocity() {
        // data = c: ideal ε̂ = (x − √ᾱ c)/√(1−ᾱ), so x̂₀ = c and DDIM keeps x = √ᾱ·c + √(1−ᾱ)·e exactly;
        // after the last step ᾱ = ᾱ_0 (SDXL), so x = √0.99915·c + √0.00085·e
        for (PredictionType type : PredictionType.values()) {
            try (NDManager m = NDManager.newBaseManager()) {
                DdimScheduler.Run run = new DdimScheduler(Configs.sdxlWith("prediction_type", type.configName())).start(25);
                NDArray c = F64.of(m, 0.3, -1.2);
                NDArray e = F64.of(m, 1.0, -0.5);
                double aT = schedule.alphaCumprod((int) run.timesteps()[0]);
                NDArray x = c.mul(Math.sqrt(aT)).add(e.mul(Math.sqrt(1 - aT)));
                for (int i = 0; i < run.steps(); i++) {
                    double a = schedule.alphaCumprod((int) run.timesteps()[i]);
                    NDArray eps = x.sub(c.mul(Math.sqrt(a))).div(Math.sqrt(1 - a));
                    NDArray out = type == PredictionType.EPSILON ? eps
                            : eps.mul(Math.sqrt(a)).sub(c.mul(Math.sqrt(1 - a)));
                    x = run.step(out, i, x);
                }
                double[] got = x.toDoubleArray();
                assertThat(got[0]).as(type.name()).isCloseTo(Math.sqrt(0.99915) * 0.3 + Math.sqrt(0.00085), within(1e-12));
                assertThat(got[1]).as(type.name()).isCloseTo(-Math.sqrt(0.99915) * 1.2 - Math.sqrt(0.00085) * 0.5,
                        within(1e-12));
            }
        }
    }

    @Test
    void clipSampleClampsThePredictedData() {
        try (NDManager m = NDManager.newBaseManager()) {
            SchedulerConfig clip = Configs.sdxlWith("clip_sample", true, "clip_sample_range", 1.0);
            DdimScheduler.Run run = new DdimScheduler(clip).start(50);
            // x̂₀ = 6.58 is clamped to 1: x' = √ᾱ_961·1 + √(1−ᾱ_961)·0.5
            double ap = 0.007281727140942984;
            assertThat(run.step(F64.of(m, 0.5), 0, F64.of(m, 1.0)).toDoubleArray()[0])
                    .isCloseTo(Math.sqrt(ap) + Math.sqrt(1 - ap) * 0.5, within(1e-12));
        }
    }
}
