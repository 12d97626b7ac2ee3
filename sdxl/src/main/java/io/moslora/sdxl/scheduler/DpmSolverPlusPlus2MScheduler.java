package io.moslora.sdxl.scheduler;

import io.moslora.engine.Scalars;
import ai.djl.ndarray.NDArray;
import io.moslora.config.SchedulerConfig;
import ai.djl.ndarray.NDManager;

/**
 * DPM-Solver++(2M) (Lu et al. 2022), as diffusers' {@code DPMSolverMultistepScheduler} with
 * {@code algorithm_type="dpmsolver++"}, {@code solver_order=2}, {@code solver_type="midpoint"},
 * {@code final_sigmas_type="zero"}: a data-prediction (x̂₀) multistep solver in λ = log(α/σ). The first step and
 * the last (into σ = 0, which just returns x̂₀) are first order; the others use the previous x̂₀ too.
 *
 * <p>Latents are variance-preserving (x = α·x₀ + σ·ε with α² + σ² = 1): the initial noise has std 1 and the model
 * input is not rescaled. Timesteps for "leading" spacing are multiples of N/(steps+1), plus steps_offset.
 */
public final class DpmSolverPlusPlus2MScheduler implements SamplingScheduler {
    private final SchedulerConfig config;
    private final DdpmNoiseSchedule schedule;

    public DpmSolverPlusPlus2MScheduler(SchedulerConfig config) {
        this.config = config;
        this.schedule = new DdpmNoiseSchedule(config);
    }

    @Override
    public String name() {
        return "dpmpp";
    }

    @Override
    public Run start(int numInferenceSteps) {
        EulerDiscreteScheduler.requireSteps(numInferenceSteps, config.numTrainTimesteps());
        int n = config.numTrainTimesteps();
        double[] timesteps = new double[numInferenceSteps];
        for (int i = 0; i < numInferenceSteps; i++) {
            int k = numInferenceSteps - i; // the (steps+1)-point grid without its lowest point, descending
            timesteps[i] = switch (TimestepSpacing.of(config)) {
                case LINSPACE -> Math.rint(k * ((n - 1.0) / numInferenceSteps));
                case LEADING -> (double) k * (n / (numInferenceSteps + 1)) + config.stepsOffset();
                case TRAILING -> Math.rint(n - i * ((double) n / numInferenceSteps)) - 1;
            };
        }
        double[] sigmas = new double[numInferenceSteps + 1];
        for (int i = 0; i < numInferenceSteps; i++) {
            sigmas[i] = schedule.sigmaAt(timesteps[i]);
        }
        sigmas[numInferenceSteps] = 0;
        return new Run(timesteps, sigmas, schedule.predictionType());
    }

    /** One DPM-Solver++(2M) loop; keeps the previous step's x̂₀ in its own manager until closed. */
    public static final class Run implements SamplingRun {
        private final double[] timesteps;
        private final double[] sigmas;
        private final PredictionType prediction;
        private NDManager memory;
        private NDArray previousX0;
        private int nextStep;

        Run(double[] timesteps, double[] sigmas, PredictionType prediction) {
            this.timesteps = timesteps;
            this.sigmas = sigmas;
            this.prediction = prediction;
        }

        @Override
        public double[] timesteps() {
            return timesteps.clone();
        }

        /** Variance-exploding σ_0..σ_{steps−1}, then 0. */
        public double[] sigmas() {
            return sigmas.clone();
        }

        @Override
        public double initNoiseSigma() {
            return 1.0;
        }

        @Override
        public NDArray scaleModelInput(NDArray sample, int i) {
            return sample;
        }

        /** α_i = 1/√(σ_i²+1). */
        private double alpha(int i) {
            return 1 / Math.sqrt(sigmas[i] * sigmas[i] + 1);
        }

        /** The variance-preserving noise scale σ_i·α_i. */
        private double vpSigma(int i) {
            return sigmas[i] * alpha(i);
        }

        /** λ_i = log α_i − log σ_i (+∞ at the final σ = 0). */
        private double lambda(int i) {
            return Math.log(alpha(i)) - Math.log(vpSigma(i));
        }

        @Override
        public NDArray step(NDArray modelOutput, int i, NDArray sample) {
            if (i != nextStep) {
                throw new IllegalStateException("DPM-Solver++ steps must run in order: expected step " + nextStep
                        + ", got " + i);
            }
            double alphaS = alpha(i);
            double sigmaS = vpSigma(i);
            NDArray x0 = switch (prediction) {
                case EPSILON -> Scalars.div(sample.sub(Scalars.mul(modelOutput, sigmaS)), alphaS);
                case V_PREDICTION -> Scalars.mul(sample, alphaS).sub(Scalars.mul(modelOutput, sigmaS));
            };
            double alphaT = alpha(i + 1);
            double sigmaT = vpSigma(i + 1);
            double h = lambda(i + 1) - lambda(i);
            double expm = Math.exp(-h) - 1; // −1 when stepping into σ = 0 (h = +∞)
            boolean lastStep = i == timesteps.length - 1;
            // x_t = (σ_t/σ_s)·x_s − α_t(e^{−h}−1)·D, with D = x̂₀ (first order)
            // or D = x̂₀ + ½·(x̂₀ − x̂₀_prev)/r, r = h_prev/h (midpoint second order)
            NDArray d = x0;
            if (previousX0 != null && !lastStep) {
                double r = (lambda(i) - lambda(i - 1)) / h;
                d = x0.add(Scalars.mul(x0.sub(previousX0), 0.5 / r));
            }
            NDArray next = Scalars.mul(sample, sigmaT / sigmaS).sub(Scalars.mul(d, alphaT * expm));
            remember(x0);
            nextStep++;
            return next;
        }

        private void remember(NDArray x0) {
            if (memory == null) {
                // the caller may close each step's manager; the history must outlive it
                memory = NDManager.newBaseManager(x0.getDevice());
            }
            NDArray old = previousX0;
            previousX0 = x0.duplicate();
            previousX0.attach(memory);
            if (old != null) {
                old.close();
            }
        }

        @Override
        public void close() {
            if (memory != null) {
                memory.close();
                memory = null;
                previousX0 = null;
            }
        }
    }
}
