package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.moslora.nn.Conv2d;
import io.moslora.nn.Module;

/** diffusers' {@code Upsample2D} with a convolution: nearest-neighbour 2× upsampling, then a 3×3 conv. */
public final class Upsample2D extends Module {
    public Upsample2D(long channels) {
        addChild("conv", new Conv2d(channels, channels, 3, 1, 1, true));
    }

    /** Each pixel becomes a 2×2 square (broadcast, then reshape: differentiable, no interpolation op needed). */
    public static NDArray nearest2x(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0), c = s.get(1), h = s.get(2), w = s.get(3);
        return x.reshape(b, c, h, 1, w, 1).broadcast(new Shape(b, c, h, 2, w, 2)).reshape(b, c, h * 2, w * 2);
    }

    public NDArray forward(NDArray x) {
        return layer("conv").forward(nearest2x(x));
    }
}
