package io.moslora.sdxl.model;

import io.moslora.engine.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.moslora.sdxl.tokenizer.ClipTokenizer;
import java.util.List;

/**
 * SDXL's two text encoders with their tokenizers: each prompt is tokenized twice (77 tokens; the pad rules
 * differ), both encoders run, and their penultimate hidden states are concatenated on the feature axis, as
 * diffusers' {@code StableDiffusionXLPipeline.encode_prompt} does; the pooled vector is encoder 2's projection.
 */
public record SdxlTextEncoders(ClipTextModel encoder1, ClipTokenizer tokenizer1, ClipTextModel encoder2,
        ClipTokenizer tokenizer2) {

    public PromptEmbeddings encode(List<String> prompts, NDManager manager) {
        ClipTextOutput out1 = encoder1.forward(ids(tokenizer1, prompts, manager));
        ClipTextOutput out2 = encoder2.forward(ids(tokenizer2, prompts, manager));
        if (out2.textEmbeds() == null) {
            throw new IllegalStateException("text_encoder_2 must be a CLIPTextModelWithProjection");
        }
        NDArray tokens = out1.penultimate().concat(out2.penultimate(), 2);
        return new PromptEmbeddings(tokens, out2.textEmbeds());
    }

    private static NDArray ids(ClipTokenizer tokenizer, List<String> prompts, NDManager manager) {
        long[][] rows = new long[prompts.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = tokenizer.encodeForModel(prompts.get(i)).idsAsLong();
        }
        int length = rows.length == 0 ? 0 : rows[0].length;
        long[] flat = new long[rows.length * length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * length, length);
        }
        return OwnedArrays.create(manager, flat, new ai.djl.ndarray.types.Shape(rows.length, length));
    }
}
