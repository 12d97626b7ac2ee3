package io.moslora.sdxl.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moslora.config.ClipTextConfig;
import io.moslora.config.TinyConfigs;
import io.moslora.engine.Seeds;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ClipTextModelTest {
    private static ClipTextConfig withEos(ClipTextConfig base, int eos) {
        ObjectNode json = new ObjectMapper().valueToTree(java.util.Map.of(
                "architectures", base.architectures(), "model_type", "clip_text_model", "vocab_size", 100,
                "hidden_size", base.hiddenSize(), "intermediate_size", base.intermediateSize(),
                "num_hidden_layers", 2, "num_attention_heads", base.numAttentionHeads(),
                "projection_dim", base.projectionDim(), "hidden_act", base.hiddenAct(), "eos_token_id", eos));
        return ClipTextConfig.fromJson(json, Path.of("config.json"));
    }

    @Test
    void poolsAtTheHighestIdForOldConfigsAndAtTheFirstEosOtherwise() {
        ClipTextConfig tiny = TinyConfigs.load("tiny-clip-text", ClipTextConfig.class);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ids = m.create(new long[] {5, 99, 7, 40, 40, 3, 40, 99}, new Shape(2, 4));
            assertThat(new ClipTextModel(withEos(tiny, 2)).poolPositions(ids)).containsExactly(1, 3); // argmax (first maximum)
            assertThat(new ClipTextModel(withEos(tiny, 40)).poolPositions(ids)).containsExactly(3, 0);
        }
    }

    @Test
    void causalHiddenStatesPenultimateAndProjection() {
        Seeds.seed(7);
        ClipTextConfig c2 = withEos(TinyConfigs.load("tiny-clip-text-2", ClipTextConfig.class), 99);
        try (NDManager m = NDManager.newBaseManager()) {
            ClipTextModel model = new ClipTextModel(c2);
            model.materialize(m, DataType.FLOAT32);
            assertThat(model.namedParameters()).containsKeys("text_model.embeddings.token_embedding.weight",
                    "text_model.embeddings.position_embedding.weight", "text_model.encoder.layers.1.self_attn.q_proj.bias",
                    "text_model.encoder.layers.0.mlp.fc1.weight", "text_model.encoder.layers.0.layer_norm2.weight",
                    "text_model.final_layer_norm.bias", "text_projection.weight");
            NDArray a = m.create(new long[] {98, 10, 11, 99, 99, 99}, new Shape(1, 6));
            NDArray b = m.create(new long[] {98, 10, 12, 99, 99, 99}, new Shape(1, 6));
            ClipTextOutput oa = model.forward(a);
            ClipTextOutput ob = model.forward(b);
            assertThat(oa.hiddenStates()).hasSize(3); // embeddings + 2 layers
            assertThat(oa.penultimate()).isSameAs(oa.hiddenStates().get(1));
            // tokens 0 and 1 come before the change at position 2: causal attention keeps them bit-identical
            NDArray first2a = oa.hiddenStates().get(2).get(new NDIndex(":, 0:2"));
            NDArray first2b = ob.hiddenStates().get(2).get(new NDIndex(":, 0:2"));
            assertThat(first2a.toFloatArray()).containsExactly(first2b.toFloatArray());
            assertThat(oa.hiddenStates().get(2).get(new NDIndex(":, 2")).toFloatArray())
                    .isNotEqualTo(ob.hiddenStates().get(2).get(new NDIndex(":, 2")).toFloatArray());
            // pooled = final-normed state at the first eos (position 3); projection has no bias
            assertThat(oa.pooled().toFloatArray()).containsExactly(oa.lastHiddenState().get(new NDIndex(":, 3")).toFloatArray());
            NDArray w = model.namedParameters().get("text_projection.weight").array();
            assertThat(oa.textEmbeds().toFloatArray()).containsExactly(oa.pooled().matMul(w.transpose()).toFloatArray());
        }
    }
}
