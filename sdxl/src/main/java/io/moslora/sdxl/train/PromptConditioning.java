package io.moslora.sdxl.train;

import io.moslora.engine.StepScope;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.moslora.sdxl.model.PromptEmbeddings;
import io.moslora.sdxl.model.SdxlTextEncoders;
import java.util.List;

/**
 * The instance prompt's embeddings for a training step: computed once when the text encoders are frozen (a copy
 * per step, so the step's ops put their results in the step's memory), or recomputed every step, with gradients,
 * when their adapters train — as diffusers' DreamBooth script does.
 */
final class PromptConditioning {
    private final SdxlTextEncoders encoders;
    private final String prompt;
    private final PromptEmbeddings cached;

    private PromptConditioning(SdxlTextEncoders encoders, String prompt, PromptEmbeddings cached) {
        this.encoders = encoders;
        this.prompt = prompt;
        this.cached = cached;
    }

    static PromptConditioning of(SdxlTextEncoders encoders, String prompt, boolean trained, NDManager cache) {
        return new PromptConditioning(encoders, prompt, trained ? null : encoders.encode(List.of(prompt), cache));
    }

    PromptEmbeddings forStep(NDManager step) {
        if (cached == null) return encoders.encode(List.of(prompt), step);
        return new PromptEmbeddings(StepScope.copyInto(cached.tokens(), step), StepScope.copyInto(cached.pooled(), step));
    }

}
