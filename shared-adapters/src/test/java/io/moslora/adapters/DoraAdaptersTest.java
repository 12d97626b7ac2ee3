package io.moslora.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.adapters.cli.AdapterCommand;
import io.moslora.cli.Cli;
import io.moslora.cli.UserError;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SafetensorsWriter;
import io.moslora.io.ShardedCheckpoint;
import io.moslora.nn.Module;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DoRA in PEFT's files: config flag, key layout, save/load, merge into a checkpoint, export refusal. */
class DoraAdaptersTest {
    static final List<String> TARGETS = List.of("q_proj", "down_proj");
    @TempDir Path tmp;
    NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
        ai.djl.engine.Engine.getInstance().setRandomSeed(3);
    }

    @AfterEach
    void close() {
        m.close();
    }

    /** A small LLaMA-like model with a DoRA adapter whose B and m have moved away from their start. */
    Module trainedDoraModel(AdapterConfig config) {
        Module model = AdapterInjectorTest.llamaLike(2, 8, 16, 20);
        model.materialize(m, DataType.FLOAT32);
        AdapterInjector.inject(model, config, m);
        model.namedParameters().forEach((k, p) -> {
            if (k.endsWith("lora_B.weight")) {
                p.set(m.randomNormal(0, 0.3f, p.shape(), DataType.FLOAT32));
            } else if (k.endsWith("lora_magnitude_vector.weight")) {
                p.set(p.array().mul(m.randomUniform(0.5f, 1.5f, p.shape(), DataType.FLOAT32)));
            }
        });
        return model;
    }

    @Test
    void configRoundTripsThroughPeftJsonWithUseDora() throws Exception {
        ObjectMapper om = new ObjectMapper();
        AdapterConfig c = new AdapterConfig(AdapterKind.DORA, 8, 16, 0.05, TARGETS, null, false, List.of(), true,
                MixerInit.KAIMING, false, List.of(), "tiny", "CAUSAL_LM");
        JsonNode json = c.toJson();
        assertThat(json.get("use_dora").asBoolean()).isTrue();
        assertThat(json.has("lora_use_mixer")).isFalse();
        assertThat(AdapterConfig.fromJson(om.readTree(om.writeValueAsString(json)), Path.of("a.json"))).isEqualTo(c);
        assertThat(AdapterConfig.of(AdapterKind.LORA, 4, 8, TARGETS).toJson().get("use_dora").asBoolean()).isFalse();
        // what stock PEFT writes for LoraConfig(use_dora=True)
        JsonNode peft = om.readTree("{\"peft_type\":\"LORA\",\"r\":4,\"lora_alpha\":8,\"target_modules\":[\"q_proj\"],"
                + "\"use_dora\":true,\"use_rslora\":false,\"init_lora_weights\":true}");
        assertThat(AdapterConfig.fromJson(peft, Path.of("p.json")).kind()).isEqualTo(AdapterKind.DORA);
        JsonNode both = om.readTree("{\"r\":4,\"use_dora\":true,\"lora_use_mixer\":true}");
        assertThatThrownBy(() -> AdapterConfig.fromJson(both, Path.of("x/adapter_config.json")))
                .isInstanceOf(UserError.class).hasMessageStartingWith("x/adapter_config.json: field use_dora:");
        assertThat(AdapterKind.parse("dora").hasMixer()).isFalse();
    }

    @Test
    void saveThenLoadIsBitExactInPeftsKeyLayout() {
        AdapterConfig config = AdapterConfig.of(AdapterKind.DORA, 4, 8, TARGETS);
        Module model = trainedDoraModel(config);
        PeftAdapters.save(model, config, tmp.resolve("a"));
        String q = "base_model.model.model.layers.0.self_attn.q_proj";
        try (SafetensorsFile f = SafetensorsFile.open(tmp.resolve("a").resolve(PeftAdapters.WEIGHTS_FILE))) {
            assertThat(f.names()).contains(q + ".lora_A.weight", q + ".lora_B.weight", q + ".lora_magnitude_vector")
                    .noneMatch(k -> k.contains("lora_AB") || k.endsWith("lora_magnitude_vector.weight"));
            assertThat(f.info(q + ".lora_magnitude_vector").shape()).containsExactly(8);
            assertThat(f.info("base_model.model.model.layers.1.mlp.down_proj.lora_magnitude_vector").shape()).containsExactly(8);
        }
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
    void mergeIntoACheckpointFoldsTheMagnitudeAsTheLayerDoes() throws Exception {
        AdapterConfig config = AdapterConfig.of(AdapterKind.DORA, 4, 8, TARGETS);
        Module model = trainedDoraModel(config);
        Path modelDir = tmp.resolve("model");
        Files.createDirectories(modelDir);
        SafetensorsWriter w = new SafetensorsWriter();
        model.stateDict().forEach((k, v) -> {
            if (!k.contains(".lora_")) {
                w.add(k.replace(".base_layer.", "."), v);
            }
        });
        w.write(modelDir.resolve("model.safetensors"));
        PeftAdapters.save(model, config, tmp.resolve("adapter"));

        int changed = AdapterMerge.merge(modelDir, tmp.resolve("adapter"), tmp.resolve("merged"), 1 << 20);
        assertThat(changed).isEqualTo(4);
        try (ShardedCheckpoint merged = ShardedCheckpoint.open(tmp.resolve("merged"))) {
            for (String target : List.of("model.layers.0.self_attn.q_proj", "model.layers.1.mlp.down_proj")) {
                LoraLinear layer = (LoraLinear) model.get(target);
                NDArray effective = layer.denseWeight(); // m ⊙ (W + ΔW)/‖W + ΔW‖
                LoraLinearTest.assertClose(merged.toNDArray(m, target + ".weight"), effective, 1e-6);
                layer.merge();
                LoraLinearTest.assertClose(merged.toNDArray(m, target + ".weight"), layer.base().denseWeight(), 1e-6);
            }
            String k = "model.layers.0.self_attn.k_proj.weight";
            assertThat(merged.readFloats(k)).containsExactly(model.stateDict().get(k).toFloatArray());
        }
    }

    @Test
    void exportLoraRefusesDoraInOneLine() {
        AdapterConfig config = AdapterConfig.of(AdapterKind.DORA, 4, 8, TARGETS);
        PeftAdapters.save(trainedDoraModel(config), config, tmp.resolve("adapter"));
        StringWriter err = new StringWriter();
        int code = Cli.run(new AdapterCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err), "export-lora",
                "--adapter", tmp.resolve("adapter").toString(), "--out", tmp.resolve("plain").toString());
        assertThat(code).isEqualTo(Cli.USER_ERROR);
        assertThat(err.toString().strip()).doesNotContain("\n").contains("adapter_config.json: field use_dora:")
                .contains("adapter merge");
        assertThat(tmp.resolve("plain")).doesNotExist();
    }

    @Test
    void aTensorFileWithoutMagnitudesIsNotADoraAdapter() throws Exception {
        AdapterConfig lora = AdapterConfig.of(AdapterKind.LORA, 4, 8, TARGETS);
        Module model = AdapterInjectorTest.llamaLike(1, 8, 16, 20);
        model.materialize(m, DataType.FLOAT32);
        AdapterInjector.inject(model, lora, m);
        PeftAdapters.save(model, lora, tmp.resolve("a"));
        PeftAdapters.writeConfig(lora.withKind(AdapterKind.DORA), tmp.resolve("a"));
        assertThatThrownBy(() -> new AdapterTensors(tmp.resolve("a"))).isInstanceOf(UserError.class)
                .hasMessageContaining("has no lora_magnitude_vector but adapter_config.json says use_dora: true");
    }

    @Test
    void shapeOnlyInjectionCountsROfInPlusOutPlusOutPerTarget() {
        Module model = AdapterInjectorTest.llamaLike(2, 16, 40, 100);
        long base = model.parameterCount();
        AdapterInjector.inject(model, AdapterConfig.of(AdapterKind.DORA, 4, 8, TARGETS), null);
        long perQ = 4L * (16 + 16) + 16;
        long perDown = 4L * (40 + 16) + 16;
        assertThat(model.parameterCount() - base).isEqualTo(2 * (perQ + perDown));
        assertThat(model.trainableParameterCount()).isEqualTo(2 * (perQ + perDown));
        assertThat(model.namedParameters()).containsKey("model.layers.0.self_attn.q_proj.lora_magnitude_vector.weight");
    }

    @Test
    void aStockPeftDoraAdapterLoadsAndMergesToWhatNumpyComputed() throws Exception {
        Path fixture = PeftAdaptersTest.FIXTURES.resolve("peft-dora");
        Path adapterDir = fixture.resolve("adapter");
        assertThat(PeftAdapters.readConfig(adapterDir).kind()).isEqualTo(AdapterKind.DORA);
        AdapterMerge.merge(fixture.resolve("model"), adapterDir, tmp.resolve("merged"), 1 << 20);
        Module model = AdapterInjectorTest.llamaLike(1, 12, 20, 30);
        model.materialize(m, DataType.FLOAT32);
        try (SafetensorsFile base = SafetensorsFile.open(fixture.resolve("model/model.safetensors"));
                SafetensorsFile expected = SafetensorsFile.open(fixture.resolve("expected_merged.safetensors"));
                ShardedCheckpoint merged = ShardedCheckpoint.open(tmp.resolve("merged"))) {
            for (String module : expected.names()) {
                ((io.moslora.nn.Linear) model.get(module)).weight().set(base.toNDArray(m, module + ".weight", DataType.FLOAT32));
            }
            AdapterInjector.inject(model, PeftAdapters.readConfig(adapterDir), m);
            PeftAdapters.load(model, adapterDir, m);
            for (String module : expected.names()) {
                NDArray want = expected.toNDArray(m, module, DataType.FLOAT32);
                LoraLinearTest.assertClose(merged.toNDArray(m, module + ".weight"), want, 1e-5);
                LoraLinear layer = (LoraLinear) model.get(module);
                LoraLinearTest.assertClose(layer.denseWeight(), want, 1e-5);
                NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(2, 12));
                LoraLinearTest.assertClose(layer.forward(x), x.matMul(want.transpose()), 1e-5);
            }
        }
    }
}
