package io.moslora.config;

import java.util.List;

/**
 * What a decoder-only language model (LLaMA family, InternLM2) needs from its config, whichever names the file
 * uses. LLaVA's {@code text_config} is one of these.
 */
public sealed interface DecoderConfig extends HfConfig permits LlamaConfig, InternLM2Config {
    int vocabSize();

    int hiddenSize();

    int intermediateSize();

    int numHiddenLayers();

    int numAttentionHeads();

    /** Key/value heads after the library's rule: absent or null means as many as the attention heads. */
    int effectiveKvHeads();

    /** Width of one attention head. */
    int effectiveHeadDim();

    String hiddenAct();

    int maxPositionEmbeddings();

    double rmsNormEps();

    double ropeTheta();

    /** {@code null} when RoPE is not scaled. */
    RopeScaling ropeScaling();

    boolean tieWordEmbeddings();

    /** Whether the q/k/v/o projections carry a bias. */
    boolean attentionBias();

    Integer padTokenId();

    Integer bosTokenId();

    /** One or more end-of-sequence ids (Llama 3.1 lists several); empty when the file sets null. */
    List<Integer> eosTokenIds();

    /** The dtype the checkpoint was saved in ({@code torch_dtype}), or null. */
    String torchDtype();
}
