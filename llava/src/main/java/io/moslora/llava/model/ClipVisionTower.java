package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import io.moslora.config.ClipVisionConfig;
import io.moslora.nn.Activation;
import io.moslora.nn.Container;
import io.moslora.nn.Layer;
import io.moslora.nn.LayerNorm;
import io.moslora.nn.Module;
import io.moslora.nn.ModuleList;
import java.util.Arrays;
import java.util.List;

/**
 * transformers' {@code CLIPVisionModel}: the vision half of CLIP under its checkpoint names
 * ({@code vision_model.embeddings…}, {@code vision_model.pre_layrnorm} — spelled so in the real files —,
 * {@code vision_model.encoder.layers.N…}, {@code vision_model.post_layernorm}). LLaVA reads a hidden state from
 * inside the encoder, so the tower exposes hidden states by the index transformers gives them.
 */
public final class ClipVisionTower extends Module {
    private final ClipVisionConfig config;

    public ClipVisionTower(ClipVisionConfig c) {
        this.config = c;
        Container vision = addChild("vision_model", new Container());
        vision.addChild("embeddings", new ClipVisionEmbeddings(c.numChannels(), c.hiddenSize(), c.patchSize(),
                c.numPositions()));
        vision.addChild("pre_layrnorm", new LayerNorm(c.hiddenSize(), c.layerNormEps()));
        ModuleList<ClipEncoderLayer> layers = vision.addChild("encoder", new Container())
                .addChild("layers", new ModuleList<>());
        Activation act = Activation.fromHf(c.hiddenAct());
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            layers.add(new ClipEncoderLayer(c.hiddenSize(), c.intermediateSize(), c.numAttentionHeads(), act,
                    c.layerNormEps()));
        }
        vision.addChild("post_layernorm", new LayerNorm(c.hiddenSize(), c.layerNormEps()));
    }

    public ClipVisionConfig config() {
        return config;
    }

    /**
     * {@code hidden_states[index]} of transformers for pixels {@code [B, C, H, W]}: index 0 is the pre-layer-normed
     * embedding, index i the output of encoder layer i; negative indices count from the end ({@code -1} is the last
     * layer, {@code -2} — LLaVA's choice — the one before it). Layers past the asked one are not run.
     */
    public NDArray hiddenState(NDArray pixels, int index) {
        return hiddenStates(pixels, List.of(index)).get(0);
    }

    /** Several hidden states from one pass (the encoder runs up to the deepest one asked). */
    public NDList hiddenStates(NDArray pixels, List<Integer> indices) {
        int count = config.numHiddenLayers() + 1;
        int[] resolved = indices.stream().mapToInt(i -> resolve(i, count)).toArray();
        int deepest = Arrays.stream(resolved).max().orElse(0);
        NDArray[] states = new NDArray[deepest + 1];
        NDArray h = layer("vision_model.pre_layrnorm", layer("vision_model.embeddings", pixels));
        states[0] = h;
        ModuleList<?> layers = (ModuleList<?>) get("vision_model.encoder.layers");
        for (int i = 0; i < deepest; i++) {
            h = ((Layer) layers.get(i)).forward(h);
            states[i + 1] = h;
        }
        NDList out = new NDList();
        for (int r : resolved) {
            out.add(states[r]);
        }
        return out;
    }

    /** The last layer's output {@code [B, 1 + patches, hidden]} (not post-normed, as transformers returns it). */
    public NDArray lastHiddenState(NDArray pixels) {
        return hiddenState(pixels, -1);
    }

    /** The pooled output: the class token of the last layer through {@code post_layernorm}, {@code [B, hidden]}. */
    public NDArray pooledOutput(NDArray pixels) {
        NDArray cls = lastHiddenState(pixels).get(new NDIndex(":, 0, :"));
        return layer("vision_model.post_layernorm", cls);
    }

    /**
     * LLaVA's image features: the hidden state(s) at {@code layers} (concatenated along features when several),
     * with the class token dropped for the {@code "default"} strategy and kept for {@code "full"}.
     */
    public NDArray imageFeatures(NDArray pixels, List<Integer> layers, String selectStrategy) {
        NDList states = hiddenStates(pixels, layers);
        NDArray features = states.size() == 1 ? states.get(0) : NDArrays.concat(states, -1);
        return selectStrategy.equals("full") ? features : features.get(new NDIndex(":, 1:, :"));
    }

    private NDArray layer(String path, NDArray x) {
        return ((Layer) get(path)).forward(x);
    }

    private static int resolve(int index, int count) {
        int r = index < 0 ? count + index : index;
        if (r < 0 || r >= count) {
            throw new IllegalArgumentException("vision_feature_layer " + index + " is outside the " + count
                    + " hidden states of this tower (embeddings + " + (count - 1) + " layers)");
        }
        return r;
    }
}
