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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        // a full CLIP checkpoint among the parts: text-side tensors LLaVA must skip
        XtunerPartsFixture.Parts parts = XtunerPartsFixture.write(dir, original.stateDict(), m);
        LlavaModel loaded = LlavaLoader.loadParts(parts.llm(), parts.clip(), parts.projector(), m, DataType.FLOAT32);
        assertSameLogits(original, loaded);
        ClipVisionTower tower = LlavaLoader.loadClipVision(parts.clip(), m, DataType.FLOAT32);
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
        XtunerPartsFixture.copyTinyConfig("tiny-llava", folder);
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

    private void assertSameLogits(LlavaModel original, LlavaModel loaded) {
        NDArray a = original.forward(m, PROMPT).logits();
        NDArray b = loaded.forward(m, PROMPT).logits();
        assertThat(b.toFloatArray()).containsExactly(a.toFloatArray());
    }
}
