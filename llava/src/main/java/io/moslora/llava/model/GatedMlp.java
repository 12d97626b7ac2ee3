package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;
import io.moslora.nn.Activation;
import io.moslora.nn.Layer;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;

/** SwiGLU feed-forward {@code down(act(gate(x)) · up(x))}; LLaMA names it gate/up/down, InternLM2 w1/w3/w2. */
final class GatedMlp extends Module implements Layer {
    private final String gate;
    private final String up;
    private final String down;
    private final Activation act;

    GatedMlp(int hidden, int inner, Activation act, String gate, String up, String down, boolean bias) {
        this.gate = gate;
        this.up = up;
        this.down = down;
        this.act = act;
        addChild(gate, new Linear(hidden, inner, bias));
        addChild(up, new Linear(hidden, inner, bias));
        addChild(down, new Linear(inner, hidden, bias));
    }

    @Override
    public NDArray forward(NDArray x) {
        return layer(down).forward(act.apply(layer(gate).forward(x)).mul(layer(up).forward(x)));
    }
}
