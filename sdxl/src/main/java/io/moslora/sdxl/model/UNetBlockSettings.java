package io.moslora.sdxl.model;

/**
 * What every UNet block shares from the config: the time embedding width, GroupNorm groups and eps, and the
 * transformer settings of the attention blocks.
 */
record UNetBlockSettings(long tembChannels, int groups, double eps, double outputScale, boolean linearProjection) {
    ResnetBlock2D resnet(long in, long out) {
        return new ResnetBlock2D(in, out, tembChannels, groups, eps, outputScale);
    }

    Transformer2DModel transformer(long channels, int heads, int layers, long contextDim) {
        return new Transformer2DModel(channels, heads, layers, contextDim, groups, linearProjection);
    }
}
