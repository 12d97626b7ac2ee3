package io.moslora.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.moslora.nn.Init;
import io.moslora.nn.Module;
import io.moslora.nn.Parameter;

/**
 * DoRA's magnitude vector (Liu et al. 2024, weight-decomposed LoRA) and the math around it, as PEFT does it: one
 * learnable length per output row, so the layer computes with {@code W' = m ⊙ (W + ΔW) / ‖W + ΔW‖}, the norm
 * taken over each output row of the {@code [out, in]} weight. Following the paper's §4.3 the norm is treated as a
 * constant (no gradient flows through it); it still follows ΔW as training moves it.
 *
 * <p>The parameter sits at {@code <target>.lora_magnitude_vector.weight} in the model, as in PEFT's module tree;
 * PEFT's files drop the {@code .weight} ({@link PeftAdapters} maps the key).
 */
public final class DoraMagnitude extends Module {
    DoraMagnitude(long outFeatures, Init init) {
        addParameter("weight", new Parameter(new Shape(outFeatures), init));
    }

    public Parameter weight() {
        return parameter("weight");
    }

    /** {@code ‖W + ΔW‖₂} of every output row, {@code [out]}; owned by {@code delta}'s manager. */
    public static NDArray rowNorms(NDArray w, NDArray delta) {
        return normsOf(delta.add(w));
    }

    private static NDArray normsOf(NDArray weight) {
        return weight.square().sum(new int[] {1}).sqrt();
    }

    /** {@code m / norms}, {@code [out]}: differentiable in m only; owned by {@code norms}' manager. */
    NDArray scale(NDArray norms) {
        NDArray scale = weight().array().div(norms.stopGradient());
        scale.attach(norms.getManager());
        return scale;
    }

    /**
     * What DoRA adds to {@code base(x)}: {@code (scale − 1)·(h·Wᵀ) + scale·loraOut}, with {@code h} the (dropped-out)
     * input and {@code loraOut = B·A·h·s}. Written as PEFT writes it, so that with dropout the base path keeps the
     * clean input and only the rescaling sees the dropped-out one; without dropout the sum is exactly
     * {@code scale ⊙ (x·(W + ΔW)ᵀ) + bias}. Owned by {@code h}'s manager.
     */
    NDArray extraOutput(NDArray h, NDArray w, NDArray norms, NDArray loraOut) {
        NDArray scale = scale(norms);
        NDArray hw = ai.djl.nn.core.Linear.linear(h, w, null).singletonOrThrow();
        return hw.mul(scale.sub(1)).add(loraOut.mul(scale));
    }

    /**
     * The weight a DoRA layer computes with, {@code m ⊙ (W + ΔW) / ‖W + ΔW‖} row by row: what merging writes into
     * the base. Owned by {@code w}'s manager.
     */
    public static NDArray fold(NDArray w, NDArray delta, NDArray magnitude) {
        NDArray sum = w.add(delta);
        return sum.mul(magnitude.div(normsOf(sum)).expandDims(1));
    }
}
