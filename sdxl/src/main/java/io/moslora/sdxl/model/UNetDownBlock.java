package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import io.moslora.nn.Module;
import io.moslora.nn.ModuleList;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code DownBlock2D} (resnets only) and {@code CrossAttnDownBlock2D} (each resnet followed by a
 * {@link Transformer2DModel}), with an optional stride-2 {@code downsamplers.0}. Every stage's output is kept
 * for the skip connections of the matching up block.
 */
public final class UNetDownBlock extends Module {
    private final boolean crossAttention;
    private final boolean downsample;

    UNetDownBlock(UNetBlockSettings s, long in, long out, int layers, boolean crossAttention, int heads,
            int transformerLayers, long contextDim, boolean downsample, int downsamplePadding) {
        this.crossAttention = crossAttention;
        this.downsample = downsample;
        ModuleList<ResnetBlock2D> resnets = new ModuleList<>();
        ModuleList<Transformer2DModel> attentions = new ModuleList<>();
        for (int i = 0; i < layers; i++) {
            resnets.add(s.resnet(i == 0 ? in : out, out));
            if (crossAttention) {
                attentions.add(s.transformer(out, heads, transformerLayers, contextDim));
            }
        }
        if (crossAttention) {
            addChild("attentions", attentions);
        }
        addChild("resnets", resnets);
        if (downsample) {
            addChild("downsamplers", new ModuleList<Downsample2D>().add(new Downsample2D(out, downsamplePadding)));
        }
    }

    /** The output of every stage, in order; the last is the input of the next block. */
    public List<NDArray> forward(NDArray x, NDArray temb, NDArray context) {
        List<NDArray> states = new ArrayList<>();
        ModuleList<?> resnets = (ModuleList<?>) child("resnets");
        for (int i = 0; i < resnets.size(); i++) {
            x = ((ResnetBlock2D) resnets.get(i)).forward(x, temb);
            if (crossAttention) {
                x = ((Transformer2DModel) ((ModuleList<?>) child("attentions")).get(i)).forward(x, context);
            }
            states.add(x);
        }
        if (downsample) {
            x = ((Downsample2D) get("downsamplers.0")).forward(x);
            states.add(x);
        }
        return states;
    }
}
