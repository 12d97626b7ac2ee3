package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;
import io.moslora.nn.Activation;
import io.moslora.nn.Layer;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;

/** CLIP's feed-forward {@code fc2(act(fc1(x)))} ({@code quick_gelu} in OpenAI's checkpoints). */
final class ClipMlp extends Module implements Layer {
    private final Activation act;

    ClipMlp(int hidden, int inner, Activation act) {
        this.act = act;
        addChild("fc1", new Linear(hidden, inner, true));
        addChild("fc2", new Linear(inner, hidden, true));
    }

    @Override
    public NDArray forward(NDArray x) {
        return layer("fc2").forward(act.apply(layer("fc1").forward(x)));
    }
}
