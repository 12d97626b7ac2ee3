package io.moslora.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.moslora.cli.UserError;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModuleTreeTest {
    /** A two-layer toy with Hugging Face-like names and a tied output head. */
    static final class Toy extends Module {
        Toy(long vocab, long hidden, int layers) {
            Module model = addChild("model", new Module() {});
            Embedding embed = model.addChild("embed_tokens", new Embedding(vocab, hidden));
            ModuleList<Module> list = model.addChild("layers", new ModuleList<>());
            for (int i = 0; i < layers; i++) {
                Module attn = new Module() {};
                attn.addChild("q_proj", new Linear(hidden, hidden, false));
                attn.addChild("o_proj", new Linear(hidden, hidden, true));
                Module layer = new Module() {};
                layer.addChild("self_attn", attn);
                list.add(layer);
            }
            Linear head = addChild("lm_head", new Linear(hidden, vocab, false));
            head.shareParameter("weight", embed.weight());
        }
    }

    @Test
    void parameterPathsAreHuggingFaceKeys() {
        Toy toy = new Toy(10, 4, 2);
        assertThat(toy.namedParameters().keySet()).containsExactly(
                "model.embed_tokens.weight",
                "model.layers.0.self_attn.q_proj.weight",
                "model.layers.0.self_attn.o_proj.weight",
                "model.layers.0.self_attn.o_proj.bias",
                "model.layers.1.self_attn.q_proj.weight",
                "model.layers.1.self_attn.o_proj.weight",
                "model.layers.1.self_attn.o_proj.bias",
                "lm_head.weight");
        // tied head counted once, as torch's sum(p.numel() for p in model.parameters())
        assertThat(toy.parameterCount()).isEqualTo(10 * 4 + 2 * (16 + 16 + 4));
    }

    @Test
    void buildingASevenBillionShapeAllocatesNothing() {
        long start = System.nanoTime();
        Module big = new Module() {};
        ModuleList<Linear> list = big.addChild("layers", new ModuleList<>());
        for (int i = 0; i < 32 * 7; i++) {
            list.add(new Linear(4096, 11008, false));
        }
        assertThat(big.parameterCount()).isEqualTo(32L * 7 * 4096 * 11008);
        assertThat(big.namedParameters().values()).noneMatch(Parameter::isMaterialized);
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(5.0); // generous: just "no allocation"
    }

    @Test
    void replaceByPathIsSeenByTheParentsForward() {
        Toy toy = new Toy(10, 4, 1);
        Linear replacement = new Linear(4, 4, false);
        toy.replace("model.layers.0.self_attn.q_proj", replacement);
        assertThat(toy.get("model.layers.0.self_attn.q_proj")).isSameAs(replacement);
        assertThatThrownBy(() -> toy.replace("model.layers.0.self_attn.nope", replacement))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void strictAndNonStrictLoadingReportKeysByName() {
        try (NDManager m = NDManager.newBaseManager()) {
            Toy toy = new Toy(10, 4, 1);
            Map<String, NDArray> file = new LinkedHashMap<>();
            file.put("model.embed_tokens.weight", m.arange(40f).reshape(10, 4));
            file.put("model.layers.0.self_attn.q_proj.weight", m.ones(new Shape(4, 4)));
            file.put("model.extra.weight", m.ones(new Shape(2)));
            TensorSource src = TensorSource.of(file, "toy.safetensors");
            StateDictLoader.Report r = StateDictLoader.load(toy, src, m, DataType.FLOAT32, false);
            assertThat(r.unexpected()).containsExactly("model.extra.weight");
            assertThat(r.missing()).containsExactly(
                    "model.layers.0.self_attn.o_proj.weight", "model.layers.0.self_attn.o_proj.bias");
            // the tied head got the embedding's values
            assertThat(toy.get("lm_head").parameter("weight").array().getFloat(9, 3)).isEqualTo(39f);
            assertThatThrownBy(() -> StateDictLoader.load(new Toy(10, 4, 1), src, m, DataType.FLOAT32, true))
                    .isInstanceOf(UserError.class)
                    .hasMessageContaining("toy.safetensors")
                    .hasMessageContaining("model.layers.0.self_attn.o_proj.bias")
                    .hasMessageContaining("model.extra.weight");
            file.put("model.embed_tokens.weight", m.ones(new Shape(11, 4)));
            assertThatThrownBy(() -> StateDictLoader.load(new Toy(10, 4, 1), src, m, DataType.FLOAT32, false))
                    .isInstanceOf(UserError.class)
                    .hasMessageContaining("(11, 4)").hasMessageContaining("(10, 4)");
        }
    }

    @Test
    void freezingRemovesParametersFromTheTrainableSet() {
        Toy toy = new Toy(10, 4, 1);
        toy.setTrainable(false);
        toy.get("model.layers.0.self_attn.o_proj").setTrainable(true);
        assertThat(toy.trainableParameters().keySet()).containsExactly(
                "model.layers.0.self_attn.o_proj.weight", "model.layers.0.self_attn.o_proj.bias");
        assertThat(toy.trainableParameterCount()).isEqualTo(20);
    }
}
