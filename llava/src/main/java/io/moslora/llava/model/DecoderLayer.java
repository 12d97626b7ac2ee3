package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;
import io.moslora.nn.Module;

/** Pre-norm residual block: {@code h = x + attn(norm₁(x)); out = h + mlp(norm₂(h))}. */
final class DecoderLayer extends Module {
    private final DecoderNames names;

    DecoderLayer(DecoderNames names, Module attnNorm, Module attention, Module mlpNorm, Module mlp) {
        this.names = names;
        addChild(names.attnNorm(), attnNorm);
        addChild(names.attention(), attention);
        addChild(names.mlpNorm(), mlpNorm);
        addChild(names.mlp(), mlp);
    }

    NDArray forward(NDArray x, AttentionContext ctx, int index) {
        NDArray normed = layer(names.attnNorm()).forward(x);
        NDArray h = x.add(((SelfAttention) child(names.attention())).forward(normed, ctx, index));
        return h.add(layer(names.mlp()).forward(layer(names.mlpNorm()).forward(h)));
    }
}
