package io.moslora.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.cli.UserError;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SafetensorsWriter;
import io.moslora.io.ShardedCheckpoint;
import io.moslora.nn.Module;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeftAdaptersTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/peft");
    @TempDir Path tmp;
    NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    Module modelWithAdapter(Path adapterDir) {
        Module model = AdapterInjectorTest.llamaLike(1, 12, 20, 30);
        model.materialize(m, DataType.FLOAT32);
        AdapterInjector.inject(model, PeftAdapters.readConfig(adapterDir), m);
        PeftAdapters.load(model, adapterDir, m);
        return model;
    }

    @Test
    void theOfficialMoSLoRALayoutLoadsAndGivesTheDeltaNumpyComputed() {
        Path dir = FIXTURES.resolve("official-moslora");
        assertThat(PeftAdapters.readConfig(dir).kind()).isEqualTo(AdapterKind.MOSLORA);
        Module model = modelWithAdapter(dir);
        try (SafetensorsFile expected = SafetensorsFile.open(FIXTURES.resolve("expected_delta.safetensors"))) {
            for (String module : expected.names()) {
                float[] want = expected.readFloats(module);
                float[] got = ((LoraLinear) model.get(module)).deltaWeight().toFloatArray();
                for (int i = 0; i < want.length; i++) {
                    assertThat(got[i]).isCloseTo(want[i], org.assertj.core.api.Assertions.within(1e-5f * Math.max(1, Math.abs(want[i]))));
                }
            }
        }
    }

    @Test
    void aStockPeftAdapterLoadsAsPlainLora() {
        Path dir = FIXTURES.resolve("stock-peft");
        Module model = modelWithAdapter(dir);
        LoraLinear q = (LoraLinear) model.get("model.layers.0.self_attn.q_proj");
        assertThat(q.mixer()).isNull();
        assertThat(q.config().scaling()).isEqualTo(2.0);
    }

    @Test
    void saveThenLoadIsBitExact() {
        Module model = AdapterInjectorTest.llamaLike(2, 8, 16, 20);
        model.materialize(m, DataType.FLOAT32);
        AdapterConfig config = AdapterConfig.of(AdapterKind.MOSLORA, 4, 8, java.util.List.of("q_proj", "down_proj"))
                .withMixerInit(MixerInit.ORTHOGONAL);
        AdapterInjector.inject(model, config, m);
        // give B non-zero values so the round trip is not trivially zeros
        model.namedParameters().forEach((k, p) -> {
            if (k.endsWith("lora_B.weight")) {
                p.set(m.randomNormal(p.shape()));
            }
        });
        PeftAdapters.save(model, config, tmp.resolve("a"));
        Module copy = AdapterInjectorTest.llamaLike(2, 8, 16, 20);
        copy.materialize(m, DataType.FLOAT32);
        AdapterInjector.inject(copy, PeftAdapters.readConfig(tmp.resolve("a")), m);
        PeftAdapters.load(copy, tmp.resolve("a"), m);
        Map<String, NDArray> before = PeftAdapters.adapterState(model, config);
        Map<String, NDArray> after = PeftAdapters.adapterState(copy, config);
        assertThat(after.keySet()).containsExactlyElementsOf(before.keySet());
        before.forEach((k, v) -> assertThat(after.get(k).toFloatArray()).as(k).containsExactly(v.toFloatArray()));
        assertThat(PeftAdapters.readConfig(tmp.resolve("a"))).isEqualTo(config);
    }

    @Test
    void exportToPlainLoraKeepsEveryDeltaAndDropsTheMixer() throws Exception {
        Path in = FIXTURES.resolve("official-moslora");
        Path out = tmp.resolve("plain");
        LoraExport.exportPlainLora(in, out);
        assertThat(Files.readString(out.resolve(PeftAdapters.CONFIG_FILE))).doesNotContain("mixer");
        try (AdapterTensors a = new AdapterTensors(in); AdapterTensors b = new AdapterTensors(out)) {
            assertThat(b.config().kind()).isEqualTo(AdapterKind.LORA);
            assertThat(b.file().names()).noneMatch(k -> k.contains("lora_AB"));
            for (String module : a.updates().keySet()) {
                LoraLinearTest.assertClose(b.delta(b.updates().get(module), m), a.delta(a.updates().get(module), m), 1e-5);
            }
        }
    }

    @Test
    void mergeStreamsTheCheckpointAndFoldsEachDelta() throws Exception {
        Path modelDir = tmp.resolve("model");
        Files.createDirectories(modelDir);
        Module base = AdapterInjectorTest.llamaLike(1, 12, 20, 30);
        base.materialize(m, DataType.FLOAT32);
        SafetensorsWriter w = new SafetensorsWriter();
        base.stateDict().forEach(w::add);
        w.write(modelDir.resolve("model.safetensors"));
        Files.writeString(modelDir.resolve("config.json"), "{\"model_type\":\"llama\"}");

        Path out = tmp.resolve("merged");
        int changed = AdapterMerge.merge(modelDir, FIXTURES.resolve("official-moslora"), out, 2_000);
        assertThat(changed).isEqualTo(2);
        assertThat(out.resolve(ShardedCheckpoint.INDEX_FILE)).exists(); // 2 kB shards force an index
        assertThat(out.resolve("config.json")).hasContent("{\"model_type\":\"llama\"}");
        try (ShardedCheckpoint merged = ShardedCheckpoint.open(out);
                SafetensorsFile delta = SafetensorsFile.open(FIXTURES.resolve("expected_delta.safetensors"))) {
            String q = "model.layers.0.self_attn.q_proj";
            NDArray want = base.stateDict().get(q + ".weight").add(m.create(delta.readFloats(q)).reshape(12, 12));
            LoraLinearTest.assertClose(merged.toNDArray(m, q + ".weight"), want, 1e-5);
            String k = "model.layers.0.self_attn.k_proj.weight";
            assertThat(merged.readFloats(k)).containsExactly(base.stateDict().get(k).toFloatArray());
        }
        assertThatThrownBy(() -> AdapterMerge.merge(FIXTURES.resolve("official-moslora"), FIXTURES.resolve("stock-peft"),
                tmp.resolve("bad"), 1 << 20)).isInstanceOf(UserError.class);
    }
}
