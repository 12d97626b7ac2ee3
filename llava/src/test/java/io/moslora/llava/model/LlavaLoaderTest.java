package io.moslora.llava.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.cli.UserError;
import io.moslora.config.ClipVisionConfig;
import io.moslora.config.LlamaConfig;
import io.moslora.config.TinyConfigs;
import io.moslora.engine.Seeds;
import io.moslora.io.SafetensorsWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tiny models written under each layout's real key names, loaded back, and compared bit for bit. */
class LlavaLoaderTest {
    @TempDir Path dir;
    NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    static final List<LlavaSample> PROMPT = List.of(new LlavaSample(new long[] {1, LlavaModel.IMAGE_TOKEN_INDEX, 20, 21},
            null, List.of(TinyLlava.image(3))));

    @Test
    void llavaHfLayoutLoadsExactly() throws IOException {
        LlavaModel original = TinyLlava.random(m, 21);
        Path folder = checkpoint("llava-hf", original, UnaryOperator.identity());
        LlavaModel loaded = LlavaLoader.load(folder, m, DataType.FLOAT32);
        assertSameLogits(original, loaded);
    }

    @Test
    void newerTransformersLayoutLoadsExactly() throws IOException {
        LlavaModel original = TinyLlava.random(m, 22);
        Path folder = checkpoint("nested", original, k -> k.startsWith("language_model.model.")
                ? "model.language_model." + k.substring("language_model.model.".length())
                : k.startsWith("language_model.lm_head.") ? k.substring("language_model.".length())
                : "model." + k);
        assertThat(Files.size(folder.resolve("model.safetensors"))).isPositive();
        LlavaModel loaded = LlavaLoader.load(folder, m, DataType.FLOAT32);
        assertSameLogits(original, loaded);
    }

    @Test
    void xtunerPartsLoadExactly() throws IOException {
        Seeds.seed(23);
        LlavaModel original = TinyLlava.randomize(LlavaModel.fromParts(TinyConfigs.load("tiny-llama", LlamaConfig.class),
                TinyConfigs.load("tiny-clip-vision", ClipVisionConfig.class)), m);
        Map<String, NDArray> sd = original.stateDict();
        Path llm = Files.createDirectories(dir.resolve("llm"));
        copyTinyConfig("tiny-llama", llm);
        SafetensorsWriter w = new SafetensorsWriter();
        sd.forEach((k, v) -> {
            if (k.startsWith("language_model.")) {
                w.add(k.substring("language_model.".length()), v);
            }
        });
        w.write(llm.resolve("model.safetensors"));
        // a full CLIP checkpoint: the vision half plus text-side tensors LLaVA must skip
        Path clip = Files.createDirectories(dir.resolve("clip"));
        copyTinyConfig("tiny-clip-vision", clip);
        SafetensorsWriter c = new SafetensorsWriter();
        sd.forEach((k, v) -> {
            if (k.startsWith("vision_tower.")) {
                c.add(k.substring("vision_tower.".length()), v);
            }
        });
        c.add("text_model.embeddings.token_embedding.weight", m.ones(new ai.djl.ndarray.types.Shape(3, 4)));
        c.add("visual_projection.weight", m.ones(new ai.djl.ndarray.types.Shape(2, 64)));
        c.add("logit_scale", m.ones(new ai.djl.ndarray.types.Shape()));
        c.add("vision_model.embeddings.position_ids", m.arange(0L, 17L).reshape(1, 17));
        c.write(clip.resolve("model.safetensors"));
        Path projector = Files.createDirectories(dir.resolve("projector"));
        SafetensorsWriter p = new SafetensorsWriter();
        sd.forEach((k, v) -> {
            if (k.startsWith("multi_modal_projector.")) {
                p.add(k.replace("multi_modal_projector.linear_1.", "model.0.")
                        .replace("multi_modal_projector.linear_2.", "model.2."), v);
            }
        });
        p.write(projector.resolve("model.safetensors"));
        LlavaModel loaded = LlavaLoader.loadParts(llm, clip, projector, m, DataType.FLOAT32);
        assertSameLogits(original, loaded);
        ClipVisionTower tower = LlavaLoader.loadClipVision(clip, m, DataType.FLOAT32);
        assertThat(tower.parameterCount()).isEqualTo(original.visionTower().parameterCount());
    }

    @Test
    void aMissingTensorFailsNamingTheFileAndKey() throws IOException {
        LlavaModel original = TinyLlava.random(m, 24);
        Path folder = checkpoint("partial", original, k -> k.equals("multi_modal_projector.linear_2.bias") ? null : k);
        assertThatThrownBy(() -> LlavaLoader.load(folder, m, DataType.FLOAT32))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining("missing 1 (multi_modal_projector.linear_2.bias)");
        Path noConfig = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> LlavaLoader.load(noConfig, m, DataType.FLOAT32))
                .isInstanceOf(UserError.class).hasMessageContaining("no config.json");
    }

    @Test
    void nestedLayoutIsDetectedFromItsKeys() {
        assertThat(CheckpointLayout.detect(List.of("model.language_model.norm.weight", "lm_head.weight")))
                .isEqualTo(CheckpointLayout.TRANSFORMERS_NESTED);
        assertThat(CheckpointLayout.detect(List.of("language_model.model.norm.weight")))
                .isEqualTo(CheckpointLayout.LLAVA_HF);
        assertThat(CheckpointLayout.TRANSFORMERS_NESTED.rename("output").apply("lm_head.weight"))
                .isEqualTo("language_model.output.weight");
    }

    private Path checkpoint(String name, LlavaModel model, UnaryOperator<String> keyName) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        copyTinyConfig("tiny-llava", folder);
        SafetensorsWriter w = new SafetensorsWriter();
        model.stateDict().forEach((k, v) -> {
            String key = keyName.apply(k);
            if (key != null) {
                w.add(key, v);
            }
        });
        w.write(folder.resolve("model.safetensors"));
        return folder;
    }

    private static void copyTinyConfig(String name, Path folder) throws IOException {
        try (InputStream in = TinyConfigs.class.getResourceAsStream("tiny/" + name + ".json")) {
            Files.copy(in, folder.resolve("config.json"));
        }
    }

    private void assertSameLogits(LlavaModel original, LlavaModel loaded) {
        NDArray a = original.forward(m, PROMPT).logits();
        NDArray b = loaded.forward(m, PROMPT).logits();
        assertThat(b.toFloatArray()).containsExactly(a.toFloatArray());
    }
}
