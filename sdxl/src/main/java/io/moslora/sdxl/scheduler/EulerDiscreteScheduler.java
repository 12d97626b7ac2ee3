package io.moslora.sdxl.scheduler;

import io.moslora.engine.Scalars;
import ai.djl.ndarray.NDArray;
import io.moslora.config.SchedulerConfig;

/**
 * SDXL's default sampler (diffusers' {@code EulerDiscreteScheduler}, no churn): Euler's method on the
 * probability-flow ODE in the variance-exploding parametrisation x = x₀ + σ·ε, where dx/dσ = (x − x̂₀)/σ.
 * σ_i = √((1−ᾱ)/ᾱ) at each timestep (interpolated for fractional ones), then a final σ = 0.
 */
public final class EulerDiscreteScheduler implements SamplingScheduler {
    private final SchedulerConfig config;
    private final DdpmNoiseSchedule schedule;

    public EulerDiscreteScheduler(SchedulerConfig config) {
        this.config = config;
        this.schedule = new DdpmNoiseSchedule(config);
    }

    @Override
    public String name() {
        return "euler";
    }

    @Override
    public Run start(int numInferenceSteps) {
        requireSteps(numInferenceSteps, config.numTrainTimesteps());
        double[] timesteps = TimestepSpacing.of(config).timesteps(config.numTrainTimesteps(), numInferenceSteps,
                config.stepsOffset());
        double[] sigmas = new double[numInferenceSteps + 1];
        double max = 0;
        for (int i = 0; i < numInferenceSteps; i++) {
            sigmas[i] = schedule.sigmaAt(timesteps[i]);
            max = Math.max(max, sigmas[i]);
        }
        // linspace/trailing start at the last training timestep: pure noise of std σ_max. Leading starts below
        // it, where diffusers scales the noise by √(σ²+1), the std of x₀ + σε for unit-variance data.
        double init = TimestepSpacing.of(config) == TimestepSpacing.LEADING ? Math.sqrt(max * max + 1) : max;
        return new Run(timesteps, sigmas, init, schedule.predictionType());
    }

    static void requireSteps(int steps, int numTrainTimesteps) {
        if (steps < 1 || steps > numTrainTimesteps) {
            throw new IllegalArgumentException("number of inference steps must be 1.." + numTrainTimesteps + ", got " + steps);
        }
    }

    /** One Euler sampling loop. */
    public static final class Run implements SamplingRun {
        private final double[] timesteps;
        private final double[] sigmas;
        private final double initNoiseSigma;
        private final PredictionType prediction;

        Run(double[] timesteps, double[] sigmas, double initNoiseSigma, PredictionType prediction) {
            this.timesteps = timesteps;
            this.sigmas = sigmas;
            this.initNoiseSigma = initNoiseSigma;
            this.prediction = prediction;
        }

        @Override
        public double[] timesteps() {
            return timesteps.clone();
        }

        /** σ_0..σ_{steps−1}, then 0. */
        public double[] sigmas() {
            return sigmas.clone();
        }

        @Override
        public double initNoiseSigma() {
            return initNoiseSigma;
        }

        /** x / √(σ²+1): the model was trained on variance-preserving inputs. */
        @Override
        public NDArray scaleModelInput(NDArray sample, int i) {
            return Scalars.div(sample, Math.sqrt(sigmas[i] * sigmas[i] + 1));
        }

        /** x' = x + (x − x̂₀)/σ_i · (σ_{i+1} − σ_i). */
        @Override
        public NDArray step(NDArray modelOutput, int i, NDArray sample) {
            double sigma = sigmas[i];
            double dt = sigmas[i + 1] - sigma;
            return switch (prediction) {
                // x̂₀ = x − σε, so (x − x̂₀)/σ = ε
                case EPSILON -> sample.add(Scalars.mul(modelOutput, dt));
                // x̂₀ = −σ/√(σ²+1)·v + x/(σ²+1)
                case V_PREDICTION -> {
                    double s2 = sigma * sigma + 1;
                    NDArray x0 = Scalars.div(sample, s2).add(Scalars.mul(modelOutput, -sigma / Math.sqrt(s2)));
                    yield sample.add(Scalars.mul(sample.sub(x0), dt / sigma));
                }
            };
        }
    }
}
