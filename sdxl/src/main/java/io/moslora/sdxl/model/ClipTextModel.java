package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.moslora.config.ClipTextConfig;
import io.moslora.nn.Activation;
import io.moslora.nn.Container;
import io.moslora.nn.Embedding;
import io.moslora.nn.LayerNorm;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;
import io.moslora.nn.ModuleList;
import java.util.ArrayList;
import java.util.List;

/**
 * transformers' {@code CLIPTextModel} (SDXL's {@code text_encoder}, CLIP ViT-L) and, when the config names
 * {@code CLIPTextModelWithProjection}, the same with a bias-free {@code text_projection} (SDXL's
 * {@code text_encoder_2}, OpenCLIP bigG). Keys: {@code text_model.embeddings.token_embedding},
 * {@code text_model.embeddings.position_embedding}, {@code text_model.encoder.layers.N.…},
 * {@code text_model.final_layer_norm}, {@code text_projection}.
 */
public final class ClipTextModel extends Module {
    private final ClipTextConfig config;

    public ClipTextModel(ClipTextConfig c) {
        this.config = c;
        Container text = addChild("text_model", new Container());
        Container embeddings = text.addChild("embeddings", new Container());
        embeddings.addChild("token_embedding", new Embedding(c.vocabSize(), c.hiddenSize()));
        embeddings.addChild("position_embedding", new Embedding(c.maxPositionEmbeddings(), c.hiddenSize()));
        Container encoder = text.addChild("encoder", new Container());
        ModuleList<ClipEncoderLayer> layers = encoder.addChild("layers", new ModuleList<>());
        Activation act = Activation.fromHf(c.hiddenAct());
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            layers.add(new ClipEncoderLayer(c.hiddenSize(), c.intermediateSize(), c.numAttentionHeads(), c.layerNormEps(), act));
        }
        text.addChild("final_layer_norm", new LayerNorm(c.hiddenSize(), c.layerNormEps()));
        if (c.hasProjection()) {
            addChild("text_projection", new Linear(c.hiddenSize(), c.projectionDim(), false));
        }
    }

    public ClipTextConfig config() {
        return config;
    }

    /** A checkpoint key this model does not keep: the constant {@code position_ids} buffer older files carry. */
    public static boolean isBufferKey(String key) {
        return key.endsWith("embeddings.position_ids");
    }

    /** ids [B, L] (int32/int64 token ids) → every hidden state, the pooled output and, with a projection, its projection. */
    public ClipTextOutput forward(NDArray ids) {
        NDManager m = ids.getManager();
        long length = ids.getShape().get(1);
        NDArray tokens = ((Embedding) get("text_model.embeddings.token_embedding")).forward(ids);
        NDArray positions = ((Embedding) get("text_model.embeddings.position_embedding"))
                .forward(m.arange(0, (int) length, 1, DataType.INT64));
        NDArray x = tokens.add(positions.expandDims(0));
        List<NDArray> hidden = new ArrayList<>();
        hidden.add(x);
        ModuleList<?> layers = (ModuleList<?>) get("text_model.encoder.layers");
        for (int i = 0; i < layers.size(); i++) {
            x = ((ClipEncoderLayer) layers.get(i)).forward(x);
            hidden.add(x);
        }
        NDArray last = ((LayerNorm) get("text_model.final_layer_norm")).forward(x);
        NDArray pooled = gatherAt(last, poolPositions(ids));
        NDArray projected = config.hasProjection() ? layer("text_projection").forward(pooled) : null;
        return new ClipTextOutput(hidden, last, pooled, projected);
    }

    /**
     * Where each sequence's pooled token sits: the highest id (the end token 49407) for old configs with
     * {@code eos_token_id: 2}, as transformers does for them; else the first {@code eos_token_id}.
     */
    long[] poolPositions(NDArray ids) {
        long[][] rows = rows(ids);
        long[] at = new long[rows.length];
        for (int b = 0; b < rows.length; b++) {
            long[] r = rows[b];
            int best = 0;
            if (config.poolsAtHighestTokenId() || config.eosTokenId() == null) {
                for (int i = 1; i < r.length; i++) {
                    if (r[i] > r[best]) best = i; // first maximum, as torch.argmax
                }
            } else {
                for (int i = 0; i < r.length; i++) {
                    if (r[i] == config.eosTokenId()) {
                        best = i;
                        break;
                    }
                }
            }
            at[b] = best;
        }
        return at;
    }

    private static long[][] rows(NDArray ids) {
        long[] flat = ids.toType(DataType.INT64, false).toLongArray();
        int b = (int) ids.getShape().get(0);
        int l = (int) ids.getShape().get(1);
        long[][] out = new long[b][l];
        for (int i = 0; i < b; i++) {
            System.arraycopy(flat, i * l, out[i], 0, l);
        }
        return out;
    }

    private static NDArray gatherAt(NDArray states, long[] positions) {
        List<NDArray> picked = new ArrayList<>();
        for (int b = 0; b < positions.length; b++) {
            picked.add(states.get(new NDIndex("{}, {}", b, positions[b])).expandDims(0));
        }
        return picked.size() == 1 ? picked.get(0) : ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(picked), 0);
    }
}
