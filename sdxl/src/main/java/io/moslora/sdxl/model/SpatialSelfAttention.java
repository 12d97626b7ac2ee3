package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.moslora.nn.GroupNorm;

/**
 * The VAE mid block's attention (diffusers' {@code Attention} with {@code group_norm} and a residual): one head as
 * wide as the channels, over the H·W positions of a GroupNorm-ed feature map, added back onto the input.
 */
public final class SpatialSelfAttention extends Attention {
    public SpatialSelfAttention(long channels, int groups, double eps) {
        super(channels, channels, 1, (int) channels, true);
        addChild("group_norm", new GroupNorm(groups, channels, eps));
    }

    /** x [B, C, H, W] → [B, C, H, W]. */
    public NDArray forward(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0), c = s.get(1), h = s.get(2), w = s.get(3);
        NDArray normed = layer("group_norm").forward(x.reshape(b, c, h * w));
        NDArray tokens = normed.transpose(0, 2, 1);
        NDArray attended = forward(tokens, null);
        return attended.transpose(0, 2, 1).reshape(b, c, h, w).add(x);
    }
}
