package io.moslora.sdxl.model;

import io.moslora.engine.Scalars;
import ai.djl.ndarray.NDArray;
import io.moslora.engine.Ops;
import io.moslora.nn.Conv2d;
import io.moslora.nn.GroupNorm;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;

/**
 * diffusers' {@code ResnetBlock2D} ("default" time scale-shift): two GroupNorm → SiLU → 3×3 conv stages, the time
 * embedding added between them as a per-channel bias, and a 1×1 {@code conv_shortcut} when the width changes.
 * The VAE's blocks have no time embedding ({@code tembChannels} 0).
 */
public final class ResnetBlock2D extends Module {
    private final boolean hasTime;
    private final boolean hasShortcut;
    private final double outputScale;

    public ResnetBlock2D(long in, long out, long tembChannels, int groups, double eps, double outputScale) {
        this.hasTime = tembChannels > 0;
        this.hasShortcut = in != out;
        this.outputScale = outputScale;
        addChild("norm1", new GroupNorm(groups, in, eps));
        addChild("conv1", new Conv2d(in, out, 3, 1, 1, true));
        if (hasTime) {
            addChild("time_emb_proj", new Linear(tembChannels, out, true));
        }
        addChild("norm2", new GroupNorm(groups, out, eps));
        addChild("conv2", new Conv2d(out, out, 3, 1, 1, true));
        if (hasShortcut) {
            addChild("conv_shortcut", new Conv2d(in, out, 1, 1, 0, true));
        }
    }

    /** x [B, in, H, W], temb [B, temb] (null in the VAE) → [B, out, H, W]. */
    public NDArray forward(NDArray x, NDArray temb) {
        NDArray h = layer("conv1").forward(Ops.silu(layer("norm1").forward(x)));
        if (hasTime) {
            NDArray t = layer("time_emb_proj").forward(Ops.silu(temb));
            h = h.add(t.expandDims(2).expandDims(3));
        }
        h = layer("conv2").forward(Ops.silu(layer("norm2").forward(h)));
        NDArray skip = hasShortcut ? layer("conv_shortcut").forward(x) : x;
        NDArray sum = skip.add(h);
        return outputScale == 1.0 ? sum : Scalars.div(sum, outputScale);
    }
}
