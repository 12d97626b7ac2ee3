package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.cli.UserError;
import io.moslora.config.DecoderConfig;
import io.moslora.config.InternLM2Config;
import io.moslora.config.RopeScaling;
import io.moslora.nn.Activation;
import io.moslora.nn.Container;
import io.moslora.nn.Embedding;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;
import io.moslora.nn.ModuleList;
import io.moslora.nn.RMSNorm;
import io.moslora.nn.RotaryEmbedding;

/**
 * A decoder-only language model of the LLaMA family (Vicuna, Llama-2/3) or InternLM2, built from its
 * {@code config.json} with the checkpoint's own names, so its state dict loads from the Hugging Face files as
 * they are. Building allocates nothing (shape-only until loaded or materialized).
 */
public final class CausalLM extends Module {
    private final DecoderConfig config;
    private final DecoderNames names;
    private final RotaryEmbedding rope;

    public CausalLM(DecoderConfig c) {
        this.config = c;
        this.names = c instanceof InternLM2Config ? DecoderNames.INTERNLM2 : DecoderNames.LLAMA;
        int hidden = c.hiddenSize();
        int heads = c.numAttentionHeads();
        int kv = c.effectiveKvHeads();
        int headDim = c.effectiveHeadDim();
        Activation act = Activation.fromHf(c.hiddenAct());
        Container model = addChild("model", new Container());
        Embedding embed = model.addChild(names.embed(), new Embedding(c.vocabSize(), hidden));
        ModuleList<DecoderLayer> layers = model.addChild("layers", new ModuleList<>());
        boolean bias = c.attentionBias();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            Module attention = names == DecoderNames.INTERNLM2
                    ? new InternLM2Attention(hidden, heads, kv, headDim, bias)
                    : new LlamaAttention(hidden, heads, kv, headDim, bias);
            Module mlp = names == DecoderNames.INTERNLM2
                    ? new GatedMlp(hidden, c.intermediateSize(), act, "w1", "w3", "w2", false)
                    : new GatedMlp(hidden, c.intermediateSize(), act, "gate_proj", "up_proj", "down_proj", mlpBias(c));
            layers.add(new DecoderLayer(names, new RMSNorm(hidden, c.rmsNormEps()), attention,
                    new RMSNorm(hidden, c.rmsNormEps()), mlp));
        }
        model.addChild("norm", new RMSNorm(hidden, c.rmsNormEps()));
        Linear head = addChild(names.head(), new Linear(hidden, c.vocabSize(), false));
        if (c.tieWordEmbeddings()) {
            head.shareParameter("weight", embed.weight());
        }
        this.rope = rotary(c, headDim);
    }

    private static boolean mlpBias(DecoderConfig c) {
        return c instanceof io.moslora.config.LlamaConfig l && l.mlpBias();
    }

    private static RotaryEmbedding rotary(DecoderConfig c, int headDim) {
        RopeScaling s = c.ropeScaling();
        if (s == null) {
            return RotaryEmbedding.plain(headDim, c.ropeTheta());
        }
        RotaryEmbedding.Scaling kind = switch (s.ropeType()) {
            case "linear" -> RotaryEmbedding.Scaling.LINEAR;
            case "dynamic" -> RotaryEmbedding.Scaling.DYNAMIC;
            default -> throw new UserError("config.json: field rope_scaling.type: '" + s.ropeType()
                    + "' is not supported yet (supported: linear, dynamic)");
        };
        return new RotaryEmbedding(headDim, c.ropeTheta(), kind, s.factor(), c.maxPositionEmbeddings());
    }

    public DecoderConfig config() {
        return config;
    }

    /** The output head's name in checkpoints: {@code lm_head}, or {@code output} for InternLM2. */
    public String headName() {
        return names.head();
    }

    public int numLayers() {
        return config.numHiddenLayers();
    }

    /** The token-embedding module (LLaVA splices image features into its output). */
    public Embedding embeddings() {
        return (Embedding) get("model." + names.embed());
    }

    public NDArray embed(NDArray ids) {
        return embeddings().forward(ids);
    }

    public KvCache newCache(NDManager manager) {
        return new KvCache(numLayers(), manager);
    }

    /**
     * Logits {@code [B, L, vocab]} for input embeddings {@code [B, L, hidden]}.
     *
     * @param attentionMask null, or {@code [B, past+L]} with 1 for real tokens and 0 for padding
     * @param cache null for a full forward; a cache to extend during generation
     */
    public NDArray forward(NDArray embeds, NDArray attentionMask, KvCache cache) {
        return layer(names.head()).forward(hiddenStates(embeds, attentionMask, cache));
    }

    /** The final normalised hidden states {@code [B, L, hidden]}. */
    public NDArray hiddenStates(NDArray embeds, NDArray attentionMask, KvCache cache) {
        long len = embeds.getShape().get(1);
        long past = cache == null ? 0 : cache.length();
        NDManager m = embeds.getManager();
        NDList tables = rope.tables(m, past, (int) len, embeds.getDataType());
        // Plain causal masking covers a fresh sequence; a padded batch or new tokens after a cached prefix need
        // an explicit mask. One new token after a prefix attends to everything: no mask at all.
        boolean explicit = attentionMask != null || (past > 0 && len > 1);
        AttentionContext ctx = new AttentionContext(tables, explicit ? mask(m, past, len, attentionMask) : null,
                !explicit && past == 0 && len > 1, cache);
        @SuppressWarnings("unchecked")
        ModuleList<DecoderLayer> layers = (ModuleList<DecoderLayer>) get("model.layers");
        NDArray h = embeds;
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).forward(h, ctx, i);
        }
        return ((RMSNorm) get("model.norm")).forward(h);
    }

    /** Boolean {@code [B|1, 1, L, past+L]}: causal over positions, minus padded keys (a token always sees itself). */
    private static NDArray mask(NDManager m, long past, long len, NDArray attentionMask) {
        NDArray rows = m.arange(past, past + len).reshape(len, 1);
        NDArray cols = m.arange(0, past + len).reshape(1, past + len);
        NDArray allowed = cols.lte(rows);
        if (attentionMask != null) {
            NDArray keys = attentionMask.toType(DataType.BOOLEAN, false).expandDims(1).expandDims(1);
            allowed = allowed.expandDims(0).expandDims(0).logicalAnd(keys).logicalOr(cols.eq(rows));
        } else {
            allowed = allowed.expandDims(0).expandDims(0);
        }
        return allowed;
    }
}
