package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import io.moslora.nn.Module;
import io.moslora.nn.ModuleList;

/** diffusers' {@code UNetMidBlock2DCrossAttn}: resnet, then (transformer, resnet) once, at the lowest resolution. */
public final class UNetMidBlock2DCrossAttn extends Module {
    UNetMidBlock2DCrossAttn(UNetBlockSettings s, long channels, int heads, int transformerLayers, long contextDim) {
        addChild("attentions", new ModuleList<Transformer2DModel>()
                .add(s.transformer(channels, heads, transformerLayers, contextDim)));
        addChild("resnets", new ModuleList<ResnetBlock2D>().add(s.resnet(channels, channels)).add(s.resnet(channels, channels)));
    }

    public NDArray forward(NDArray x, NDArray temb, NDArray context) {
        x = ((ResnetBlock2D) get("resnets.0")).forward(x, temb);
        x = ((Transformer2DModel) get("attentions.0")).forward(x, context);
        return ((ResnetBlock2D) get("resnets.1")).forward(x, temb);
    }
}
