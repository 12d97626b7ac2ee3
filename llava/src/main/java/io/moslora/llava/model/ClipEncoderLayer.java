package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;
import io.moslora.nn.Activation;
import io.moslora.nn.Layer;
import io.moslora.nn.LayerNorm;
import io.moslora.nn.Module;

/** One pre-norm CLIP transformer block: {@code x + attn(ln1(x))}, then {@code + mlp(ln2(·))}. */
final class ClipEncoderLayer extends Module implements Layer {
    ClipEncoderLayer(int hidden, int inner, int heads, Activation act, double eps) {
        addChild("self_attn", new ClipAttention(hidden, heads));
        addChild("layer_norm1", new LayerNorm(hidden, eps));
        addChild("mlp", new ClipMlp(hidden, inner, act));
        addChild("layer_norm2", new LayerNorm(hidden, eps));
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray h = x.add(layer("self_attn").forward(layer("layer_norm1").forward(x)));
        return h.add(layer("mlp").forward(layer("layer_norm2").forward(h)));
    }
}
