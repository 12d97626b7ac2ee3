package io.moslora.sdxl.conditioning;

import io.moslora.engine.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * SDXL's micro-conditioning (Podell et al. 2023, §2.2): the UNet's {@code text_time} embedding takes the original
 * image size, the top-left crop offset and the target size, in that order and each as (height, width) / (top,
 * left) — diffusers' {@code add_time_ids}. Training uses the real values of each photo; generation usually uses
 * (H, W), (0, 0), (H, W).
 */
public record SdxlTimeIds(int originalHeight, int originalWidth, int cropTop, int cropLeft, int targetHeight,
        int targetWidth) {

    public SdxlTimeIds {
        if (originalHeight <= 0 || originalWidth <= 0 || targetHeight <= 0 || targetWidth <= 0) {
            throw new IllegalArgumentException("image sizes must be positive: original " + originalHeight + "x"
                    + originalWidth + ", target " + targetHeight + "x" + targetWidth);
        }
        if (cropTop < 0 || cropLeft < 0) {
            throw new IllegalArgumentException("crop offsets must be non-negative, got " + cropTop + ", " + cropLeft);
        }
    }

    /** What generation passes: nothing cropped, original = target = the requested size. */
    public static SdxlTimeIds forGeneration(int height, int width) {
        return new SdxlTimeIds(height, width, 0, 0, height, width);
    }

    /** The six values in the UNet's order. */
    public float[] values() {
        return new float[] {originalHeight, originalWidth, cropTop, cropLeft, targetHeight, targetWidth};
    }

    /** A [batch, 6] float32 array of these ids repeated (e.g. ×2 for the guidance batch). */
    public NDArray toNDArray(NDManager manager, int batch) {
        float[] one = values();
        float[] all = new float[one.length * batch];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(one, 0, all, b * one.length, one.length);
        }
        return OwnedArrays.create(manager, all, new Shape(batch, one.length));
    }

    /** A [n, 6] float32 array of per-image ids (training batches, where each photo has its own). */
    public static NDArray stack(NDManager manager, java.util.List<SdxlTimeIds> ids) {
        float[] all = new float[ids.size() * 6];
        for (int i = 0; i < ids.size(); i++) {
            System.arraycopy(ids.get(i).values(), 0, all, i * 6, 6);
        }
        return OwnedArrays.create(manager, all, new Shape(ids.size(), 6));
    }
}
