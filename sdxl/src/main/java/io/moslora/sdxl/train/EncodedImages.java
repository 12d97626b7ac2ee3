package io.moslora.sdxl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.moslora.sdxl.model.LatentDistribution;
import io.moslora.sdxl.model.PromptEmbeddings;
import io.moslora.sdxl.model.SdxlModels;
import java.util.ArrayList;
import java.util.List;

/**
 * Training images with what the frozen VAE and text encoders make of them, computed once: each image's latent
 * distribution (mean, std; a fresh latent is drawn from it every time the image is used) and the prompt's
 * embeddings. Lives in {@code cache}, which must not grow step by step.
 */
record EncodedImages(List<InstanceImage> images, List<NDArray> means, List<NDArray> stds, PromptEmbeddings prompt) {

    static EncodedImages of(SdxlModels models, List<InstanceImage> images, String prompt, NDManager cache) {
        List<NDArray> means = new ArrayList<>();
        List<NDArray> stds = new ArrayList<>();
        for (InstanceImage img : images) {
            LatentDistribution d = models.vae().encode(img.toNDArray(cache));
            means.add(d.mean());
            stds.add(d.std());
        }
        return new EncodedImages(images, means, stds, models.text().encode(List.of(prompt), cache));
    }

    int size() {
        return images.size();
    }
}
