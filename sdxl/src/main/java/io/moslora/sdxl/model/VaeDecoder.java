package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import io.moslora.config.AutoencoderKLConfig;
import io.moslora.engine.Ops;
import io.moslora.nn.Conv2d;
import io.moslora.nn.GroupNorm;
import io.moslora.nn.Module;
import io.moslora.nn.ModuleList;
import java.util.List;

/**
 * diffusers' VAE {@code Decoder}: latents → image, the encoder's widths in reverse with one more resnet per block,
 * doubling per block but the last.
 */
public final class VaeDecoder extends Module {
    VaeDecoder(AutoencoderKLConfig c) {
        List<Integer> ch = c.blockOutChannels();
        int groups = c.normNumGroups();
        double eps = VaeEncoder.EPS;
        long deepest = ch.get(ch.size() - 1);
        addChild("conv_in", new Conv2d(c.latentChannels(), deepest, 3, 1, 1, true));
        addChild("mid_block", new VaeMidBlock(deepest, groups, eps, c.midBlockAddAttention()));
        ModuleList<VaeResnetStack> up = addChild("up_blocks", new ModuleList<>());
        long out = deepest;
        for (int i = 0; i < ch.size(); i++) {
            long prev = out;
            out = ch.get(ch.size() - 1 - i);
            boolean last = i == ch.size() - 1;
            up.add(new VaeResnetStack(prev, out, c.layersPerBlock() + 1, groups, eps,
                    last ? VaeResnetStack.Resample.NONE : VaeResnetStack.Resample.UP));
        }
        addChild("conv_norm_out", new GroupNorm(groups, ch.get(0), eps));
        addChild("conv_out", new Conv2d(ch.get(0), c.outChannels(), 3, 1, 1, true));
    }

    public NDArray forward(NDArray latents) {
        NDArray x = layer("conv_in").forward(latents);
        x = ((VaeMidBlock) child("mid_block")).forward(x);
        ModuleList<?> up = (ModuleList<?>) child("up_blocks");
        for (int i = 0; i < up.size(); i++) {
            x = ((VaeResnetStack) up.get(i)).forward(x);
        }
        return layer("conv_out").forward(Ops.silu(layer("conv_norm_out").forward(x)));
    }
}
