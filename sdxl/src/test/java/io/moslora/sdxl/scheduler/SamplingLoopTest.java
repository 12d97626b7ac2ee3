package io.moslora.sdxl.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared loop with closed-form denoisers for data that is a single point c (exact answers known). */
class SamplingLoopTest {
    private static final double[] C = {0.3, -1.2, 2.0};
    private static final double[] NOISE = {1.0, -0.5, 0.25};
    private final DdpmNoiseSchedule schedule = DdpmNoiseSchedule.sdxl();

    /** Ideal ε̂ for point-mass data at an integer timestep: the input is √ᾱ·c + √(1−ᾱ)·ε in model scale. */
    private Denoiser pointMass(NDArray c) {
        return (input, t) -> {
            double a = schedule.alphaCumprod((int) t);
            return input.sub(c.mul(Math.sqrt(a))).div(Math.sqrt(1 - a));
        };
    }

    @Test
    void eulerAndDpmLandOnThePointAndReportEveryStep() {
        for (String name : new String[] {"euler", "dpmpp"}) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray c = F64.of(m, C);
                NDArray noise = F64.of(m, NOISE);
                List<Integer> done = new ArrayList<>();
                NDArray out;
                try (SamplingRun run = SamplingScheduler.named(name, Configs.sdxl()).start(20)) {
                    out = SamplingLoop.sample(run, noise, pointMass(c), done::add);
                }
                // still readable: the result was moved out of the closed step managers
                assertThat(out.toDoubleArray()).as(name).containsExactly(C, within(1e-10));
                assertThat(out.getManager()).isSameAs(m);
                assertThat(done).hasSize(20).startsWith(0).endsWith(19);
                assertThat(noise.toDoubleArray()).containsExactly(NOISE);
            }
        }
    }

    @Test
    void ddimKeepsTheInitialNoiseDirection() {
        // DDIM starts from x = noise (σ_init = 1) at ᾱ_T; x̂₀ = c and ε̂ = (noise − √ᾱ_T·c)/√(1−ᾱ_T) stay fixed, so the
        // result is √ᾱ₀·c + √(1−ᾱ₀)·ε̂ with ᾱ₀ = 0.99915 (set_alpha_to_one false)
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray c = F64.of(m, C);
            SamplingRun run = SamplingScheduler.named("ddim", Configs.sdxl()).start(10);
            NDArray out = SamplingLoop.sample(run, F64.of(m, NOISE), pointMass(c));
            double aT = schedule.alphaCumprod((int) run.timesteps()[0]);
            for (int k = 0; k < 3; k++) {
                double eps = (NOISE[k] - Math.sqrt(aT) * C[k]) / Math.sqrt(1 - aT);
                assertThat(out.toDoubleArray()[k]).isCloseTo(Math.sqrt(0.99915) * C[k] + Math.sqrt(0.00085) * eps,
                        within(1e-10));
            }
        }
    }

    @Test
    void randomTrainingTimestepsCoverTheRange() {
        int[] t = schedule.randomTimesteps(new java.util.Random(1), 5000);
        assertThat(java.util.Arrays.stream(t).min().getAsInt()).isZero();
        assertThat(java.util.Arrays.stream(t).max().getAsInt()).isEqualTo(999);
    }
}
