package io.moslora.sdxl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.moslora.engine.OwnedArrays;
import io.moslora.engine.Scalars;
import io.moslora.sdxl.model.PromptEmbeddings;
import io.moslora.sdxl.conditioning.SdxlTimeIds;
import io.moslora.sdxl.scheduler.DdpmNoiseSchedule;
import io.moslora.sdxl.model.UNet2DConditionModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One micro-batch of the DDPM objective: clean latents x₀ drawn from the cached distributions, Gaussian noise,
 * a timestep per sample, the noised latents x_t, and the conditioning (prompt embeddings, pooled embedding, time
 * ids) per sample. Everything lives in the step's memory.
 */
record NoisedBatch(NDArray x0, NDArray noise, int[] t, NDArray noisy, NDArray context, NDArray pooled,
        List<SdxlTimeIds> timeIds) {

    /** Where standard normal numbers come from. */
    @FunctionalInterface
    interface Gaussians {
        NDArray normal(Shape shape, NDManager step);

        /** torch's global generator (the trainer reseeds it every step). */
        Gaussians TORCH = (shape, step) -> step.randomNormal(shape, DataType.FLOAT32);

        /** A stream of its own, so drawing from it leaves torch's generator where it was. */
        static Gaussians of(Random random) {
            return (shape, step) -> {
                float[] v = new float[Math.toIntExact(shape.size())];
                for (int i = 0; i < v.length; i++) v[i] = (float) random.nextGaussian();
                return OwnedArrays.create(step, v, shape);
            };
        }
    }

    /**
     * Draws the batch of images {@code picks}: one latent draw per image, then the noise (in this order, from
     * {@code gaussians}), then the timesteps from {@code timestepRandom}.
     */
    static NoisedBatch draw(EncodedImages set, int[] picks, Gaussians gaussians, Random timestepRandom,
            DdpmNoiseSchedule schedule, double latentScaling, NDManager step) {
        List<NDArray> x0s = new ArrayList<>();
        List<SdxlTimeIds> ids = new ArrayList<>();
        for (int p : picks) {
            NDArray eps = gaussians.normal(set.means().get(p).getShape(), step);
            // a draw from the cached distribution; eps first, so the result lives in the step's memory
            x0s.add(Scalars.mul(eps.mul(set.stds().get(p)).add(set.means().get(p)), latentScaling));
            ids.add(set.images().get(p).timeIds());
        }
        NDArray x0 = x0s.size() == 1 ? x0s.get(0) : NDArrays.concat(new NDList(x0s), 0);
        NDArray noise = gaussians.normal(x0.getShape(), step);
        int[] t = schedule.randomTimesteps(timestepRandom, picks.length);
        PromptEmbeddings prompt = set.prompt().forStep(step);
        NDArray context = prompt.tokens().repeat(0, picks.length);
        NDArray pooled = prompt.pooled().repeat(0, picks.length);
        return new NoisedBatch(x0, noise, t, schedule.addNoise(x0, noise, t), context, pooled, ids);
    }

    int size() {
        return t.length;
    }

    /** The UNet's output for x_t. */
    NDArray predict(UNet2DConditionModel unet, NDManager step) {
        float[] tf = new float[t.length];
        for (int i = 0; i < t.length; i++) tf[i] = t[i];
        return unet.forward(noisy, OwnedArrays.create(step, tf), context, pooled, SdxlTimeIds.stack(step, timeIds));
    }

    /** Mean squared error of {@code pred} against the DDPM target, per sample weighted by Min-SNR-γ if given. */
    NDArray loss(NDArray pred, DdpmNoiseSchedule schedule, Double snrGamma, NDManager step) {
        NDArray target = schedule.target(x0, noise, t);
        NDArray perSample = pred.sub(target).square().reshape(size(), -1).mean(new int[] {1});
        if (snrGamma != null) {
            double[] w = schedule.minSnrLossWeights(t, snrGamma);
            float[] wf = new float[w.length];
            for (int i = 0; i < w.length; i++) wf[i] = (float) w[i];
            perSample = perSample.mul(OwnedArrays.create(step, wf));
        }
        return perSample.mean();
    }
}
