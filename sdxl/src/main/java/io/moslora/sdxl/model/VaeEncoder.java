package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import io.moslora.config.AutoencoderKLConfig;
import io.moslora.engine.Ops;
import io.moslora.nn.Conv2d;
import io.moslora.nn.GroupNorm;
import io.moslora.nn.Module;
import io.moslora.nn.ModuleList;
import java.util.List;

/** diffusers' VAE {@code Encoder}: image → 2·latent channels (mean and log-variance), halving per block but the last. */
public final class VaeEncoder extends Module {
    static final double EPS = 1e-6;

    VaeEncoder(AutoencoderKLConfig c) {
        List<Integer> ch = c.blockOutChannels();
        int groups = c.normNumGroups();
        addChild("conv_in", new Conv2d(c.inChannels(), ch.get(0), 3, 1, 1, true));
        ModuleList<VaeResnetStack> down = addChild("down_blocks", new ModuleList<>());
        long out = ch.get(0);
        for (int i = 0; i < ch.size(); i++) {
            long in = out;
            out = ch.get(i);
            boolean last = i == ch.size() - 1;
            down.add(new VaeResnetStack(in, out, c.layersPerBlock(), groups, EPS,
                    last ? VaeResnetStack.Resample.NONE : VaeResnetStack.Resample.DOWN));
        }
        addChild("mid_block", new VaeMidBlock(out, groups, EPS, c.midBlockAddAttention()));
        addChild("conv_norm_out", new GroupNorm(groups, out, EPS));
        addChild("conv_out", new Conv2d(out, 2L * c.latentChannels(), 3, 1, 1, true));
    }

    public NDArray forward(NDArray image) {
        NDArray x = layer("conv_in").forward(image);
        ModuleList<?> down = (ModuleList<?>) child("down_blocks");
        for (int i = 0; i < down.size(); i++) {
            x = ((VaeResnetStack) down.get(i)).forward(x);
        }
        x = ((VaeMidBlock) child("mid_block")).forward(x);
        return layer("conv_out").forward(Ops.silu(layer("conv_norm_out").forward(x)));
    }
}
