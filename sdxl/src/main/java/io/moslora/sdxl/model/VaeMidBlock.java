package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import io.moslora.nn.Module;
import io.moslora.nn.ModuleList;

/** diffusers' {@code UNetMidBlock2D} as the VAE uses it: resnet, single-head self-attention (optional), resnet; no time. */
public final class VaeMidBlock extends Module {
    private final boolean attention;

    VaeMidBlock(long channels, int groups, double eps, boolean attention) {
        this.attention = attention;
        if (attention) {
            addChild("attentions", new ModuleList<SpatialSelfAttention>().add(new SpatialSelfAttention(channels, groups, eps)));
        }
        addChild("resnets", new ModuleList<ResnetBlock2D>()
                .add(new ResnetBlock2D(channels, channels, 0, groups, eps, 1.0))
                .add(new ResnetBlock2D(channels, channels, 0, groups, eps, 1.0)));
    }

    public NDArray forward(NDArray x) {
        x = ((ResnetBlock2D) get("resnets.0")).forward(x, null);
        if (attention) {
            x = ((SpatialSelfAttention) get("attentions.0")).forward(x);
        }
        return ((ResnetBlock2D) get("resnets.1")).forward(x, null);
    }
}
