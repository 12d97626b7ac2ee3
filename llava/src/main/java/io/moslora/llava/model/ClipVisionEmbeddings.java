package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.moslora.nn.Conv2d;
import io.moslora.nn.Embedding;
import io.moslora.nn.Init;
import io.moslora.nn.Layer;
import io.moslora.nn.Module;
import io.moslora.nn.Parameter;

/**
 * Pixels {@code [B, 3, H, W]} → tokens {@code [B, 1 + patches, hidden]}: a stride-{@code patch} convolution without
 * bias cuts the image into patches, a learned class token goes in front, and a learned position is added to each.
 */
final class ClipVisionEmbeddings extends Module implements Layer {
    private final int positions;

    ClipVisionEmbeddings(int channels, int hidden, int patch, int positions) {
        this.positions = positions;
        // CLIP draws the class token from N(0, hidden^-0.5) before its own init; the scale only matters untrained
        addParameter("class_embedding", new Parameter(new Shape(hidden), Init.normal(Math.pow(hidden, -0.5))));
        addChild("patch_embedding", new Conv2d(channels, hidden, patch, patch, 0, false));
        addChild("position_embedding", new Embedding(positions, hidden));
    }

    @Override
    public NDArray forward(NDArray pixels) {
        long b = pixels.getShape().get(0);
        NDArray patches = layer("patch_embedding").forward(pixels); // [B, hidden, H/p, W/p]
        long hidden = patches.getShape().get(1);
        patches = patches.reshape(b, hidden, -1).transpose(0, 2, 1); // [B, patches, hidden], row-major patch order
        // temporaries first, so results stay in the caller's manager and not the parameters'
        NDArray cls = patches.get(new NDIndex(":, :1, :")).zerosLike().add(parameter("class_embedding").array());
        NDArray tokens = cls.concat(patches, 1);
        if (tokens.getShape().get(1) != positions) {
            throw new IllegalArgumentException("image gives " + (tokens.getShape().get(1) - 1) + " patches but the tower has "
                    + (positions - 1) + " positions; resize images to the config's image_size first");
        }
        NDArray table = ((Embedding) child("position_embedding")).weight().array();
        return tokens.add(table);
    }
}
