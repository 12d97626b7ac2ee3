package io.moslora.sdxl.scheduler;

import io.moslora.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/**
 * Classifier-free guidance (Ho &amp; Salimans 2022): ε = ε_uncond + w·(ε_text − ε_uncond), optionally rescaled
 * toward the text prediction's per-sample standard deviation (Lin et al. 2023, diffusers'
 * {@code guidance_rescale}).
 */
public final class ClassifierFreeGuidance {
    private ClassifierFreeGuidance() {}

    /** Guidance is only needed (and the batch only doubled) when w &gt; 1, as diffusers decides. */
    public static boolean enabled(double guidanceScale) {
        return guidanceScale > 1;
    }

    /** ε_uncond + w·(ε_text − ε_uncond). */
    public static NDArray combine(NDArray uncond, NDArray text, double guidanceScale) {
        return uncond.add(Scalars.mul(text.sub(uncond), guidanceScale));
    }

    /**
     * The model ran on the batch [uncond; text] stacked on axis 0 (diffusers' order): split it and combine, then
     * rescale if {@code guidanceRescale} &gt; 0.
     */
    public static NDArray fromStackedBatch(NDArray output, double guidanceScale, double guidanceRescale) {
        var halves = output.split(2, 0);
        NDArray guided = combine(halves.get(0), halves.get(1), guidanceScale);
        return guidanceRescale > 0 ? rescale(guided, halves.get(1), guidanceRescale) : guided;
    }

    /**
     * φ·(ε_cfg·std(ε_text)/std(ε_cfg)) + (1−φ)·ε_cfg, the standard deviations taken per batch element over all
     * other axes with Bessel's correction (as {@code torch.std}).
     */
    public static NDArray rescale(NDArray guided, NDArray text, double guidanceRescale) {
        NDArray ratio = std(text).div(std(guided));
        NDArray rescaled = guided.mul(ratio);
        return NDArrays.add(Scalars.mul(rescaled, guidanceRescale), Scalars.mul(guided, 1 - guidanceRescale));
    }

    /** Sample standard deviation over every axis but the first, kept as [B, 1, 1, ...]. */
    static NDArray std(NDArray x) {
        long batch = x.getShape().get(0);
        NDArray flat = x.reshape(batch, -1); // DJL's PyTorch mean reduces one axis at a time
        long count = flat.getShape().get(1);
        NDArray centred = flat.sub(flat.mean(new int[] {1}, true));
        long[] dims = new long[x.getShape().dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = batch;
        return Scalars.div(centred.square().sum(new int[] {1}), count - 1).sqrt().reshape(new ai.djl.ndarray.types.Shape(dims));
    }
}
