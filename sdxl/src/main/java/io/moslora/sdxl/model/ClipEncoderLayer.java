package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import io.moslora.nn.Activation;
import io.moslora.nn.Container;
import io.moslora.nn.Layer;
import io.moslora.nn.LayerNorm;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;

/** transformers' {@code CLIPEncoderLayer}: pre-LayerNorm self-attention and MLP ({@code fc1}, act, {@code fc2}), each residual. */
public final class ClipEncoderLayer extends Module {
    private final Activation act;

    public ClipEncoderLayer(long hidden, long intermediate, int heads, double eps, Activation act) {
        this.act = act;
        addChild("self_attn", new ClipAttention(hidden, heads));
        addChild("layer_norm1", new LayerNorm(hidden, eps));
        Container mlp = addChild("mlp", new Container());
        mlp.addChild("fc1", new Linear(hidden, intermediate, true));
        mlp.addChild("fc2", new Linear(intermediate, hidden, true));
        addChild("layer_norm2", new LayerNorm(hidden, eps));
    }

    public NDArray forward(NDArray x) {
        NDArray h = ((ClipAttention) child("self_attn")).forward(layer("layer_norm1").forward(x)).add(x);
        NDArray m = act.apply(((Layer) get("mlp.fc1")).forward(layer("layer_norm2").forward(h)));
        return ((Layer) get("mlp.fc2")).forward(m).add(h);
    }
}
