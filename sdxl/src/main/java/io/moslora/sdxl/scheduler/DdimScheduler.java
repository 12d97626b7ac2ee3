package io.moslora.sdxl.scheduler;

import io.moslora.engine.Scalars;
import ai.djl.ndarray.NDArray;
import io.moslora.config.SchedulerConfig;

/**
 * Deterministic DDIM (Song et al. 2021, η = 0), as diffusers' {@code DDIMScheduler}: from x_t, predict x̂₀ and ε̂,
 * then x_prev = √ᾱ_prev·x̂₀ + √(1−ᾱ_prev)·ε̂, where prev = t − N/steps (integer division). Past timestep 0 the
 * target is ᾱ = 1 with {@code set_alpha_to_one}, else ᾱ₀ (SDXL).
 */
public final class DdimScheduler implements SamplingScheduler {
    private final SchedulerConfig config;
    private final DdpmNoiseSchedule schedule;

    public DdimScheduler(SchedulerConfig config) {
        // DDIM's own defaults (set_alpha_to_one, clip_sample) fill what another class's file leaves out,
        // as diffusers' DDIMScheduler.from_config does
        this.config = config.className().equals(SchedulerConfig.DDIM) ? config : config.as(SchedulerConfig.DDIM);
        this.schedule = new DdpmNoiseSchedule(this.config);
    }

    @Override
    public String name() {
        return "ddim";
    }

    @Override
    public Run start(int numInferenceSteps) {
        EulerDiscreteScheduler.requireSteps(numInferenceSteps, config.numTrainTimesteps());
        double[] timesteps = TimestepSpacing.of(config).timesteps(config.numTrainTimesteps(), numInferenceSteps,
                config.stepsOffset());
        for (int i = 0; i < timesteps.length; i++) {
            timesteps[i] = Math.rint(timesteps[i]); // DDIM works on integer timesteps
            if (timesteps[i] >= config.numTrainTimesteps()) {
                throw new IllegalArgumentException("timestep " + (int) timesteps[i] + " is past the training range; "
                        + "lower steps_offset or the number of steps");
            }
        }
        return new Run(timesteps, config.numTrainTimesteps() / numInferenceSteps);
    }

    /** One DDIM sampling loop. */
    public final class Run implements SamplingRun {
        private final double[] timesteps;
        private final int stride;

        Run(double[] timesteps, int stride) {
            this.timesteps = timesteps;
            this.stride = stride;
        }

        @Override
        public double[] timesteps() {
            return timesteps.clone();
        }

        @Override
        public double initNoiseSigma() {
            return 1.0;
        }

        @Override
        public NDArray scaleModelInput(NDArray sample, int i) {
            return sample;
        }

        /** ᾱ of the timestep step {@code i} lands on. */
        public double alphaCumprodPrev(int i) {
            int prev = (int) timesteps[i] - stride;
            if (prev >= 0) {
                return schedule.alphaCumprod(prev);
            }
            return Boolean.TRUE.equals(config.setAlphaToOne()) ? 1.0 : schedule.alphaCumprod(0);
        }

        @Override
        public NDArray step(NDArray modelOutput, int i, NDArray sample) {
            double a = schedule.alphaCumprod((int) timesteps[i]);
            double aPrev = alphaCumprodPrev(i);
            double sa = Math.sqrt(a);
            double sb = Math.sqrt(1 - a);
            NDArray x0;
            NDArray eps;
            switch (schedule.predictionType()) {
                case EPSILON -> {
                    x0 = Scalars.div(sample.sub(Scalars.mul(modelOutput, sb)), sa);
                    eps = modelOutput;
                }
                case V_PREDICTION -> {
                    x0 = Scalars.mul(sample, sa).sub(Scalars.mul(modelOutput, sb));
                    eps = Scalars.mul(sample, sb).add(Scalars.mul(modelOutput, sa));
                }
                default -> throw new IllegalStateException();
            }
            if (Boolean.TRUE.equals(config.clipSample())) {
                double r = config.clipSampleRange();
                // diffusers' default (use_clipped_model_output false): ε̂ stays the model's
                x0 = x0.clip(-r, r);
            }
            return Scalars.mul(x0, Math.sqrt(aPrev)).add(Scalars.mul(eps, Math.sqrt(1 - aPrev)));
        }
    }
}
