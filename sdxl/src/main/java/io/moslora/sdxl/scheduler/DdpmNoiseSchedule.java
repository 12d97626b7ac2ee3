package io.moslora.sdxl.scheduler;

import io.moslora.engine.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.moslora.cli.UserError;
import io.moslora.config.SchedulerConfig;

/**
 * The forward (noising) process of DDPM: β_t, ᾱ_t = ∏_{s≤t}(1−β_s), and what training needs from it — noisy
 * latents, the regression target, the signal-to-noise ratio and Min-SNR loss weights. Tables are computed once in
 * double precision (diffusers computes them in float32; the two agree to about 1e-6 relative).
 */
public final class DdpmNoiseSchedule {
    private final SchedulerConfig config;
    private final PredictionType prediction;
    private final double[] betas;
    private final double[] alphasCumprod;

    public DdpmNoiseSchedule(SchedulerConfig config) {
        this.config = config;
        this.prediction = PredictionType.of(config);
        int n = config.numTrainTimesteps();
        if (n < 2) {
            throw new UserError("scheduler_config.json: field num_train_timesteps must be at least 2, got " + n);
        }
        if (config.trainedBetas() != null) {
            throw new UserError("scheduler_config.json: field trained_betas is not supported; remove it or use beta_schedule");
        }
        if (!(config.betaStart() > 0 && config.betaEnd() < 1 && config.betaStart() <= config.betaEnd())) {
            throw new UserError("scheduler_config.json: fields beta_start, beta_end: need 0 < beta_start <= beta_end < 1, got "
                    + config.betaStart() + ", " + config.betaEnd());
        }
        this.betas = BetaSchedule.of(config).betas(config.betaStart(), config.betaEnd(), n);
        this.alphasCumprod = new double[n];
        double product = 1;
        for (int t = 0; t < n; t++) {
            product *= 1 - betas[t];
            alphasCumprod[t] = product;
        }
    }

    /** SDXL's training schedule: scaled_linear 0.00085..0.012 over 1000 steps, ε-prediction. */
    public static DdpmNoiseSchedule sdxl() {
        return new DdpmNoiseSchedule(SdxlSchedulerConfig.base());
    }

    public SchedulerConfig config() {
        return config;
    }

    public PredictionType predictionType() {
        return prediction;
    }

    public int numTrainTimesteps() {
        return betas.length;
    }

    public double beta(int t) {
        return betas[check(t)];
    }

    /** ᾱ_t. */
    public double alphaCumprod(int t) {
        return alphasCumprod[check(t)];
    }

    /** The variance-exploding noise level σ_t = √((1−ᾱ_t)/ᾱ_t) that Euler-type samplers step in. */
    public double sigma(int t) {
        double a = alphaCumprod(t);
        return Math.sqrt((1 - a) / a);
    }

    /** σ at a fractional timestep, linear between neighbours (numpy's {@code interp} over 0..N−1). */
    double sigmaAt(double t) {
        if (t <= 0) {
            return sigma(0);
        }
        if (t >= betas.length - 1) {
            return sigma(betas.length - 1);
        }
        int lo = (int) Math.floor(t);
        double f = t - lo;
        return f == 0 ? sigma(lo) : sigma(lo) + f * (sigma(lo + 1) - sigma(lo));
    }

    /** Signal-to-noise ratio ᾱ_t / (1−ᾱ_t), as diffusers' {@code compute_snr}. */
    public double snr(int t) {
        double a = alphaCumprod(t);
        return a / (1 - a);
    }

    /** Training timesteps drawn uniformly from 0..N−1, one per batch element (torch.randint(0, N)). */
    public int[] randomTimesteps(java.util.Random rng, int batch) {
        int[] t = new int[batch];
        for (int i = 0; i < batch; i++) {
            t[i] = rng.nextInt(betas.length);
        }
        return t;
    }

    /** x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε, one timestep per batch element (first axis). */
    public NDArray addNoise(NDArray x0, NDArray noise, int[] timesteps) {
        return x0.mul(perSample(x0, timesteps, t -> Math.sqrt(alphaCumprod(t))))
                .add(noise.mul(perSample(x0, timesteps, t -> Math.sqrt(1 - alphaCumprod(t)))));
    }

    /** v = √ᾱ_t·ε − √(1−ᾱ_t)·x₀. */
    public NDArray velocity(NDArray x0, NDArray noise, int[] timesteps) {
        return noise.mul(perSample(x0, timesteps, t -> Math.sqrt(alphaCumprod(t))))
                .sub(x0.mul(perSample(x0, timesteps, t -> Math.sqrt(1 - alphaCumprod(t)))));
    }

    /** What the denoiser is trained to output under the configured prediction type. */
    public NDArray target(NDArray x0, NDArray noise, int[] timesteps) {
        return switch (prediction) {
            case EPSILON -> noise;
            case V_PREDICTION -> velocity(x0, noise, timesteps);
        };
    }

    /**
     * Min-SNR-γ loss weights (Hang et al. 2023) as diffusers' DreamBooth scripts apply them to the per-sample mean
     * squared error: min(SNR, γ)/SNR for ε-prediction, min(SNR, γ)/(SNR+1) for v-prediction.
     */
    public double[] minSnrLossWeights(int[] timesteps, double gamma) {
        if (!(gamma > 0)) {
            throw new IllegalArgumentException("snr gamma must be positive, got " + gamma);
        }
        double[] w = new double[timesteps.length];
        for (int i = 0; i < w.length; i++) {
            double snr = snr(timesteps[i]);
            double clipped = Math.min(snr, gamma);
            w[i] = switch (prediction) {
                case EPSILON -> clipped / snr;
                case V_PREDICTION -> clipped / (snr + 1);
            };
        }
        return w;
    }

    /** A [B, 1, 1, ...] array of one coefficient per batch element, in the latents' type and on their device. */
    private static NDArray perSample(NDArray like, int[] timesteps, java.util.function.IntToDoubleFunction f) {
        if (like.getShape().dimension() == 0 || like.getShape().get(0) != timesteps.length) {
            throw new IllegalArgumentException("latents " + like.getShape() + " need one timestep per batch element, got "
                    + timesteps.length);
        }
        long[] dims = new long[like.getShape().dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = timesteps.length;
        double[] values = new double[timesteps.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = f.applyAsDouble(timesteps[i]);
        }
        return OwnedArrays.create(like.getManager(), values, new Shape(dims)).toType(like.getDataType(), false);
    }

    private int check(int t) {
        if (t < 0 || t >= betas.length) {
            throw new IllegalArgumentException("timestep " + t + " outside 0.." + (betas.length - 1));
        }
        return t;
    }

}
