package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.moslora.nn.Conv2d;
import io.moslora.nn.GroupNorm;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;
import io.moslora.nn.ModuleList;

/**
 * diffusers' {@code Transformer2DModel} on a feature map: GroupNorm (eps 1e-6), a projection in, {@code layers}
 * {@link BasicTransformerBlock}s over the H·W positions as tokens, a projection out, plus the input. SDXL's
 * projections are Linear ({@code use_linear_projection}); SD 1.x's are 1×1 convolutions, applied before flattening.
 */
public final class Transformer2DModel extends Module {
    private final boolean linearProjection;

    public Transformer2DModel(long channels, int heads, int layers, long contextDim, int groups, boolean linearProjection) {
        this.linearProjection = linearProjection;
        int headDim = (int) (channels / heads);
        long inner = (long) heads * headDim;
        addChild("norm", new GroupNorm(groups, channels, 1e-6));
        addChild("proj_in", linearProjection ? new Linear(channels, inner, true) : new Conv2d(channels, inner, 1, 1, 0, true));
        ModuleList<BasicTransformerBlock> blocks = addChild("transformer_blocks", new ModuleList<>());
        for (int i = 0; i < layers; i++) {
            blocks.add(new BasicTransformerBlock(inner, heads, headDim, contextDim));
        }
        addChild("proj_out", linearProjection ? new Linear(inner, channels, true) : new Conv2d(inner, channels, 1, 1, 0, true));
    }

    /** x [B, C, H, W], context [B, S, contextDim] → [B, C, H, W]. */
    public NDArray forward(NDArray x, NDArray context) {
        Shape s = x.getShape();
        long b = s.get(0), h = s.get(2), w = s.get(3);
        NDArray t = layer("norm").forward(x);
        if (!linearProjection) {
            t = layer("proj_in").forward(t);
        }
        long inner = t.getShape().get(1);
        t = t.transpose(0, 2, 3, 1).reshape(b, h * w, inner);
        if (linearProjection) {
            t = layer("proj_in").forward(t);
        }
        ModuleList<?> blocks = (ModuleList<?>) child("transformer_blocks");
        for (int i = 0; i < blocks.size(); i++) {
            t = ((BasicTransformerBlock) blocks.get(i)).forward(t, context);
        }
        if (linearProjection) {
            t = layer("proj_out").forward(t);
        }
        t = t.reshape(b, h, w, t.getShape().get(2)).transpose(0, 3, 1, 2);
        if (!linearProjection) {
            t = layer("proj_out").forward(t);
        }
        return t.add(x);
    }
}
