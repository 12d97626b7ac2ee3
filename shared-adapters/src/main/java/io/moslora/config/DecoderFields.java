package io.moslora.config;

import java.util.List;

/** Field rules that LLaMA and InternLM2 configs share. */
final class DecoderFields {
    private DecoderFields() {}

    /** {@code eos_token_id}: an integer, a list of integers (Llama 3.1), or null. */
    static List<Integer> eosTokenIds(ConfigFields f, List<Integer> dflt) {
        List<Integer> ids = f.intOrIntList("eos_token_id", dflt);
        return ids == null ? List.of() : ids;
    }

    /** {@code torch_dtype}, or {@code dtype} as transformers 5 writes it. */
    static String torchDtype(ConfigFields f) {
        String dtype = f.optionalString("torch_dtype", null);
        String newName = f.optionalString("dtype", null);
        return dtype != null ? dtype : newName;
    }

    /** The head counts must split the hidden size and each other, or no model can be built. */
    static void checkHeads(ConfigFields f, int hidden, int heads, int kvHeads, boolean explicitHeadDim) {
        if (heads <= 0) throw f.error("num_attention_heads", "must be positive, got " + heads);
        if (!explicitHeadDim && hidden % heads != 0) {
            throw f.error("num_attention_heads", heads + " does not divide hidden_size " + hidden);
        }
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw f.error("num_key_value_heads", kvHeads + " does not divide num_attention_heads " + heads);
        }
    }
}
