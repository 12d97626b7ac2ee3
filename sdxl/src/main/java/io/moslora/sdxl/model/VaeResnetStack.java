package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import io.moslora.nn.Module;
import io.moslora.nn.ModuleList;

/**
 * diffusers' {@code DownEncoderBlock2D} and {@code UpDecoderBlock2D}: resnets (no time embedding), then an optional
 * {@code downsamplers.0} (stride-2 conv, bottom/right padding) or {@code upsamplers.0} (nearest 2×, conv).
 */
public final class VaeResnetStack extends Module {
    enum Resample { NONE, DOWN, UP }

    private final Resample resample;

    VaeResnetStack(long in, long out, int layers, int groups, double eps, Resample resample) {
        this.resample = resample;
        ModuleList<ResnetBlock2D> resnets = addChild("resnets", new ModuleList<>());
        for (int i = 0; i < layers; i++) {
            resnets.add(new ResnetBlock2D(i == 0 ? in : out, out, 0, groups, eps, 1.0));
        }
        if (resample == Resample.DOWN) {
            addChild("downsamplers", new ModuleList<Downsample2D>().add(new Downsample2D(out, 0)));
        } else if (resample == Resample.UP) {
            addChild("upsamplers", new ModuleList<Upsample2D>().add(new Upsample2D(out)));
        }
    }

    public NDArray forward(NDArray x) {
        ModuleList<?> resnets = (ModuleList<?>) child("resnets");
        for (int i = 0; i < resnets.size(); i++) {
            x = ((ResnetBlock2D) resnets.get(i)).forward(x, null);
        }
        return switch (resample) {
            case NONE -> x;
            case DOWN -> ((Downsample2D) get("downsamplers.0")).forward(x);
            case UP -> ((Upsample2D) get("upsamplers.0")).forward(x);
        };
    }
}
