package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.moslora.nn.Conv2d;
import io.moslora.nn.Module;

/**
 * diffusers' {@code Downsample2D} with a convolution: a 3×3 stride-2 conv. With padding 0 (the VAE) the input is
 * first padded by one zero row and column at the bottom and right (diffusers' {@code F.pad(x, (0, 1, 0, 1))}).
 */
public final class Downsample2D extends Module {
    private final int padding;

    public Downsample2D(long channels, int padding) {
        this.padding = padding;
        addChild("conv", new Conv2d(channels, channels, 3, 2, padding, true));
    }

    public NDArray forward(NDArray x) {
        if (padding == 0) {
            Shape s = x.getShape();
            NDArray right = x.getManager().zeros(new Shape(s.get(0), s.get(1), s.get(2), 1), x.getDataType(), x.getDevice());
            x = x.concat(right, 3);
            NDArray bottom = x.getManager().zeros(new Shape(s.get(0), s.get(1), 1, s.get(3) + 1), x.getDataType(), x.getDevice());
            x = x.concat(bottom, 2);
        }
        return layer("conv").forward(x);
    }
}
