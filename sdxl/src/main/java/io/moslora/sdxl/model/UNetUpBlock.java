package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import io.moslora.nn.Module;
import io.moslora.nn.ModuleList;
import java.util.Deque;

/**
 * diffusers' {@code UpBlock2D} and {@code CrossAttnUpBlock2D}: each resnet takes the running features concatenated
 * (on channels) with the latest unused skip state of the down path, optionally followed by a transformer; then
 * an optional 2× {@code upsamplers.0}. Resnet i's input width is {@code prev} (i = 0) or {@code out}, plus the
 * skip's width: {@code in} for the last resnet, {@code out} for the others.
 */
public final class UNetUpBlock extends Module {
    private final boolean crossAttention;
    private final boolean upsample;

    UNetUpBlock(UNetBlockSettings s, long in, long prev, long out, int layers, boolean crossAttention, int heads,
            int transformerLayers, long contextDim, boolean upsample) {
        this.crossAttention = crossAttention;
        this.upsample = upsample;
        ModuleList<ResnetBlock2D> resnets = new ModuleList<>();
        ModuleList<Transformer2DModel> attentions = new ModuleList<>();
        for (int i = 0; i < layers; i++) {
            long skip = i == layers - 1 ? in : out;
            long resnetIn = i == 0 ? prev : out;
            resnets.add(s.resnet(resnetIn + skip, out));
            if (crossAttention) {
                attentions.add(s.transformer(out, heads, transformerLayers, contextDim));
            }
        }
        if (crossAttention) {
            addChild("attentions", attentions);
        }
        addChild("resnets", resnets);
        if (upsample) {
            addChild("upsamplers", new ModuleList<Upsample2D>().add(new Upsample2D(out)));
        }
    }

    /** Consumes one skip state per resnet from the top of {@code skips} (most recent first). */
    public NDArray forward(NDArray x, Deque<NDArray> skips, NDArray temb, NDArray context) {
        ModuleList<?> resnets = (ModuleList<?>) child("resnets");
        for (int i = 0; i < resnets.size(); i++) {
            x = x.concat(skips.pop(), 1);
            x = ((ResnetBlock2D) resnets.get(i)).forward(x, temb);
            if (crossAttention) {
                x = ((Transformer2DModel) ((ModuleList<?>) child("attentions")).get(i)).forward(x, context);
            }
        }
        if (upsample) {
            x = ((Upsample2D) get("upsamplers.0")).forward(x);
        }
        return x;
    }
}
