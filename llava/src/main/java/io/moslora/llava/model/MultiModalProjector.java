package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;
import io.moslora.nn.Activation;
import io.moslora.nn.Layer;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;

/**
 * LLaVA-1.5's {@code mlp2x_gelu} projector, vision features → text embeddings: {@code linear_2(act(linear_1(x)))}
 * under llava-hf's names. XTuner saves the same two layers as an {@code nn.Sequential} ({@code model.0},
 * {@code model.2}); {@link CheckpointLayout#XTUNER_PROJECTOR} renames those on load.
 */
public final class MultiModalProjector extends Module implements Layer {
    private final Activation act;

    public MultiModalProjector(int visionFeatures, int textHidden, Activation act, boolean bias) {
        this.act = act;
        addChild("linear_1", new Linear(visionFeatures, textHidden, bias));
        addChild("linear_2", new Linear(textHidden, textHidden, bias));
    }

    @Override
    public NDArray forward(NDArray features) {
        return layer("linear_2").forward(act.apply(layer("linear_1").forward(features)));
    }
}
