package io.moslora.sdxl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.moslora.sdxl.model.LatentDistribution;
import io.moslora.sdxl.model.SdxlModels;
import java.util.ArrayList;
import java.util.List;

/**
 * Training images with what the frozen VAE and text encoders make of them, computed once: each image's latent
 * distribution (mean, std; a fresh latent is drawn from it every time the image is used) and the prompt's
 * conditioning (embeddings cached, or re-encoded every step when the text encoders train). Lives in {@code cache},
 * which must not grow step by step.
 */
record EncodedImages(List<InstanceImage> images, List<NDArray> means, List<NDArray> stds, PromptConditioning prompt) {

    static EncodedImages of(SdxlModels models, List<InstanceImage> images, String prompt, boolean textEncodersTrain,
            NDManager cache) {
        List<NDArray> means = new ArrayList<>();
        List<NDArray> stds = new ArrayList<>();
        for (InstanceImage img : images) {
            LatentDistribution d = models.vae().encode(img.toNDArray(cache));
            means.add(d.mean());
            stds.add(d.std());
        }
        return new EncodedImages(images, means, stds, PromptConditioning.of(models.text(), prompt, textEncodersTrain, cache));
    }

    int size() {
        return images.size();
    }
}
