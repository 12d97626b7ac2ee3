package io.moslora.llava.model;

/** The checkpoint names of a decoder family, so one implementation loads LLaMA and InternLM2 files as they are. */
record DecoderNames(String embed, String attnNorm, String attention, String mlpNorm, String mlp, String head) {
    static final DecoderNames LLAMA =
            new DecoderNames("embed_tokens", "input_layernorm", "self_attn", "post_attention_layernorm", "mlp", "lm_head");
    static final DecoderNames INTERNLM2 =
            new DecoderNames("tok_embeddings", "attention_norm", "attention", "ffn_norm", "feed_forward", "output");
}
