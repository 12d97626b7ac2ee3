package io.moslora.sdxl.scheduler;

import io.moslora.config.SchedulerConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.moslora.cli.UserError;
import org.junit.jupiter.api.Test;

class DdpmNoiseScheduleTest {
    private final DdpmNoiseSchedule sdxl = DdpmNoiseSchedule.sdxl();

    @Test
    void scaledLinearAlphasCumprodFromTheClosedForm() {
        // β_i = (√0.00085 + i·(√0.012 − √0.00085)/999)²; ᾱ_t = ∏_{i≤t} (1 − β_i)
        // ᾱ_0 = 1 − 0.00085 = 0.99915
        assertThat(sdxl.alphaCumprod(0)).isCloseTo(0.99915, within(1e-15));
        // β_1 = (0.0291547595 + 0.0000913689...)² = 0.0008546986554056862; ᾱ_1 = 0.99915·(1 − β_1) = 0.99829602783845
        double beta1 = Math.pow(Math.sqrt(0.00085) + (Math.sqrt(0.012) - Math.sqrt(0.00085)) / 999, 2);
        assertThat(sdxl.beta(1)).isCloseTo(0.0008546986554056862, within(1e-17)).isCloseTo(beta1, within(1e-18));
        assertThat(sdxl.alphaCumprod(1)).isCloseTo(0.99915 * (1 - beta1), within(1e-15));
        // the last training step: β_999 = 0.012, ᾱ_999 = 0.004660098513077 (diffusers' float32 table: 0.0046600895)
        assertThat(sdxl.beta(999)).isCloseTo(0.012, within(1e-15));
        assertThat(sdxl.alphaCumprod(999)).isCloseTo(0.004660098513077238, within(1e-14));
        // k-diffusion's published σ range for Stable Diffusion: σ_min ≈ 0.0292, σ_max ≈ 14.6146
        assertThat(sdxl.sigma(0)).isCloseTo(Math.sqrt(0.00085 / 0.99915), within(1e-15)).isCloseTo(0.0292, within(5e-5));
        assertThat(sdxl.sigma(999)).isCloseTo(14.6146, within(1e-4));
    }

    @Test
    void linearAndCosineSchedulesFromTheirClosedForms() {
        DdpmNoiseSchedule linear = new DdpmNoiseSchedule(Configs.sdxlWith("beta_schedule", "linear", "beta_start", 1e-4, "beta_end", 0.02));
        // β_1 = 1e-4 + 0.0199/999; ᾱ_1 = (1 − 1e-4)(1 − β_1) = 0.99978009207207...
        assertThat(linear.alphaCumprod(1)).isCloseTo((1 - 1e-4) * (1 - (1e-4 + 0.0199 / 999)), within(1e-15))
                .isCloseTo(0.9997800920720721, within(1e-15));
        assertThat(linear.beta(999)).isCloseTo(0.02, within(1e-15));

        // cosine: β_i = 1 − ᾱ((i+1)/N)/ᾱ(i/N), so the product telescopes to ᾱ((t+1)/N)/ᾱ(0) while no β is capped
        DdpmNoiseSchedule cosine = new DdpmNoiseSchedule(
                Configs.sdxlWith("beta_schedule", "squaredcos_cap_v2", "beta_start", 1e-4, "beta_end", 0.02));
        for (int t : new int[] {0, 250, 500, 900}) {
            double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
            double ft = Math.pow(Math.cos(((t + 1) / 1000.0 + 0.008) / 1.008 * Math.PI / 2), 2);
            assertThat(cosine.alphaCumprod(t)).as("t=%d", t).isCloseTo(ft / f0, within(1e-12));
        }
        assertThat(cosine.beta(999)).isEqualTo(0.999); // the cap
    }

    @Test
    void addNoiseVelocityAndTargetPerBatchElement() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = F64.constant(m, 2.0, 2, 1, 2, 2);
            NDArray noise = F64.constant(m, -1.0, 2, 1, 2, 2);
            int[] t = {0, 999};
            double[] noisy = sdxl.addNoise(x0, noise, t).toDoubleArray();
            // element 0: 2·√0.99915 − √0.00085; element 1: 2·√ᾱ_999 − √(1−ᾱ_999)
            double a999 = 0.004660098513077238;
            for (int i = 0; i < 4; i++) {
                assertThat(noisy[i]).isCloseTo(2 * Math.sqrt(0.99915) - Math.sqrt(0.00085), within(1e-12));
                assertThat(noisy[4 + i]).isCloseTo(2 * Math.sqrt(a999) - Math.sqrt(1 - a999), within(1e-12));
            }
            double[] v = sdxl.velocity(x0, noise, t).toDoubleArray();
            // v = √ᾱ·ε − √(1−ᾱ)·x₀
            assertThat(v[0]).isCloseTo(-Math.sqrt(0.99915) - 2 * Math.sqrt(0.00085), within(1e-12));
            assertThat(v[7]).isCloseTo(-Math.sqrt(a999) - 2 * Math.sqrt(1 - a999), within(1e-12));
            assertThat(sdxl.target(x0, noise, t).toDoubleArray()).containsExactly(noise.toDoubleArray());
            DdpmNoiseSchedule vpred = new DdpmNoiseSchedule(Configs.sdxlWith("prediction_type", "v_prediction"));
            assertThat(vpred.target(x0, noise, t).toDoubleArray()).containsExactly(v);
            assertThatThrownBy(() -> sdxl.addNoise(x0, noise, new int[] {3})).hasMessageContaining("one timestep per batch");
        }
    }

    @Test
    void velocityAndNoisyLatentsGiveBackTheData() {
        // identity: √ᾱ·x_t − √(1−ᾱ)·v = (ᾱ + 1 − ᾱ)·x₀ = x₀, in float32
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(7);
            NDArray x0 = m.randomNormal(new Shape(3, 4, 8, 8));
            NDArray noise = m.randomNormal(new Shape(3, 4, 8, 8));
            int[] t = {5, 400, 990};
            NDArray xt = sdxl.addNoise(x0, noise, t);
            NDArray v = sdxl.velocity(x0, noise, t);
            assertThat(xt.getDataType()).isEqualTo(ai.djl.ndarray.types.DataType.FLOAT32);
            for (int b = 0; b < 3; b++) {
                double a = sdxl.alphaCumprod(t[b]);
                NDArray back = xt.get(b).mul(Math.sqrt(a)).sub(v.get(b).mul(Math.sqrt(1 - a)));
                assertThat(back.sub(x0.get(b)).abs().max().getFloat()).isLessThan(1e-5f);
            }
        }
    }

    @Test
    void snrAndMinSnrWeightsAsTheDreamBoothScriptComputesThem() {
        // SNR_t = ᾱ/(1−ᾱ): t=10 → 103.5075, t=500 → 0.381850
        assertThat(sdxl.snr(10)).isCloseTo(103.50750389407848, within(1e-9));
        assertThat(sdxl.snr(500)).isCloseTo(0.38185044100482407, within(1e-12));
        // ε: min(SNR, 5)/SNR → 5/103.5075 where SNR > 5, 1 where SNR < 5
        assertThat(sdxl.minSnrLossWeights(new int[] {10, 500}, 5.0))
                .containsExactly(new double[] {5 / 103.50750389407848, 1.0}, within(1e-12));
        // v: min(SNR, 5)/(SNR + 1)
        DdpmNoiseSchedule vpred = new DdpmNoiseSchedule(Configs.sdxlWith("prediction_type", "v_prediction"));
        assertThat(vpred.minSnrLossWeights(new int[] {10, 500}, 5.0)).containsExactly(
                new double[] {5 / 104.50750389407848, 0.38185044100482407 / 1.38185044100482407}, within(1e-12));
    }

    @Test
    void readsDiffusersSchedulerConfigAndRejectsWhatItCannotUse() {
        // stable-diffusion-xl-base-1.0/scheduler/scheduler_config.json, shipped as a resource
        SchedulerConfig base = Configs.sdxl();
        assertThat(base.className()).isEqualTo(SchedulerConfig.EULER);
        assertThat(base.timestepSpacing()).isEqualTo("leading");
        assertThat(base.stepsOffset()).isEqualTo(1);
        assertThat(new DdpmNoiseSchedule(base).beta(999)).isCloseTo(0.012, within(1e-15));

        assertThatThrownBy(() -> new DdpmNoiseSchedule(Configs.sdxlWith("beta_schedule", "sigmoid")))
                .isInstanceOf(UserError.class).hasMessageContaining("beta_schedule");
        assertThatThrownBy(() -> new DdpmNoiseSchedule(Configs.sdxlWith("prediction_type", "sample")))
                .isInstanceOf(UserError.class).hasMessageContaining("prediction_type");
        assertThatThrownBy(() -> new DdpmNoiseSchedule(Configs.sdxlWith("beta_start", 0.5, "beta_end", 0.1)))
                .isInstanceOf(UserError.class).hasMessageContaining("beta_start");
        assertThatThrownBy(() -> new EulerDiscreteScheduler(Configs.sdxlWith("timestep_spacing", "random")).start(5))
                .isInstanceOf(UserError.class).hasMessageContaining("timestep_spacing");
    }
}
