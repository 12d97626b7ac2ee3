package io.moslora.llava.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.moslora.cli.Cli;
import io.moslora.io.SafetensorsFile;
import io.moslora.llava.LlavaCommand;
import io.moslora.llava.data.ClipImageProcessor;
import io.moslora.llava.data.LlavaJsonReader;
import io.moslora.llava.data.LlavaRecord;
import io.moslora.llava.data.LlavaSampleBuilder;
import io.moslora.llava.data.SupervisedSample;
import io.moslora.llava.data.demo.DemoDatasetGenerator;
import io.moslora.llava.demo.WordLevelTokenizerFile;
import io.moslora.llava.model.LlavaModel;
import io.moslora.llava.model.LlavaSample;
import io.moslora.llava.template.ChatTemplates;
import io.moslora.llava.tokenizer.TextTokenizer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlavaTrainerTest {
    @TempDir
    static Path data;

    @BeforeAll
    static void makeData() {
        DemoDatasetGenerator.generate(data, new DemoDatasetGenerator.Options(24, 4, 32, 3, 0.3, false));
    }

    private static List<String> tiny(Path out, String... more) {
        List<String> o = new ArrayList<>(List.of("data_path=" + data.resolve("train.json"),
                "image_folder=" + data.resolve("images"), "output_dir=" + out, "batch_size=2", "grad_accum=2",
                "max_steps=6", "llm_adapter.r=4", "vision_adapter.r=4"));
        o.addAll(List.of(more));
        return o;
    }

    private static int train(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Cli.run(new LlavaCommand(), new PrintWriter(out), new PrintWriter(err), args);
        assertThat(rc).as(err.toString()).isZero();
        return rc;
    }

    private static String[] cmd(List<String> sets, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--config", "tiny", "--no-progress"));
        sets.forEach(s -> {
            a.add("--set");
            a.add(s);
        });
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void qmosloraTrainsAdaptersOverAnNf4LanguageModel(@TempDir Path out) throws Exception {
        train(cmd(tiny(out, "llm_quantization=nf4")));
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve("llm_adapter/adapter_model.safetensors"))) {
            assertThat(f.names()).contains("base_model.model.model.layers.0.self_attn.q_proj.lora_AB.weight");
        }
        List<String> losses = java.nio.file.Files.readAllLines(out.resolve("metrics.jsonl"));
        assertThat(losses).hasSize(6).allMatch(l -> !l.contains("NaN"));
        try (NDManager m = NDManager.newBaseManager()) {
            LlavaTrainConfig c = LlavaTrainConfig.preset("tiny", List.of("llm_quantization=nf4"));
            LlavaModel model = LlavaTrainer.buildModel(c, m);
            assertThat(model.get("language_model.model.layers.0.self_attn.q_proj"))
                    .isInstanceOf(io.moslora.quant.Linear4bit.class);
            assertThat(model.get("language_model.lm_head")).isInstanceOf(io.moslora.nn.Linear.class);
            assertThat(model.get("multi_modal_projector.linear_1")).isInstanceOf(io.moslora.nn.Linear.class);
        }
    }

    @Test
    void writesAdaptersProjectorConfigAndMetrics(@TempDir Path out) {
        train(cmd(tiny(out)));
        for (String f : List.of("llm_adapter/adapter_config.json", "llm_adapter/adapter_model.safetensors",
                "vision_adapter/adapter_config.json", "vision_adapter/adapter_model.safetensors",
                "projector.safetensors", "train_config.json", "tokenizer.json", "metrics.jsonl", "loss.png")) {
            assertThat(out.resolve(f)).as(f).isRegularFile();
        }
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve("llm_adapter/adapter_model.safetensors"))) {
            assertThat(f.names()).contains("base_model.model.model.layers.0.self_attn.q_proj.lora_AB.weight");
        }
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve("vision_adapter/adapter_model.safetensors"))) {
            assertThat(f.names()).anyMatch(k -> k.endsWith("fc1.lora_A.weight"));
        }
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve("projector.safetensors"))) {
            assertThat(f.names()).contains("multi_modal_projector.linear_1.weight", "multi_modal_projector.linear_2.bias");
        }
    }

    @Test
    void resumedRunEndsWithTheSameAdapterAsAnUninterruptedOne(@TempDir Path whole, @TempDir Path split) throws Exception {
        train(cmd(tiny(whole)));
        // The second run checkpoints at step 3; everything it wrote after that is thrown away, as if it had been
        // killed there, and the resumed run must redo steps 4..6 exactly.
        train(cmd(tiny(split, "checkpoint_every=3")));
        for (String d : List.of("llm_adapter", "vision_adapter")) {
            deleteTree(split.resolve(d));
        }
        Files.delete(split.resolve("projector.safetensors"));
        train(cmd(tiny(split, "checkpoint_every=3"), "--resume"));
        assertThat(Files.readAllLines(split.resolve("metrics.jsonl"))).isEqualTo(Files.readAllLines(whole.resolve("metrics.jsonl")));
        for (String f : List.of("llm_adapter/adapter_model.safetensors", "vision_adapter/adapter_model.safetensors",
                "projector.safetensors")) {
            assertThat(Arrays.equals(Files.readAllBytes(split.resolve(f)), Files.readAllBytes(whole.resolve(f)))).as(f).isTrue();
        }
    }

    @Test
    void onlyAnswerTokensReachTheLoss(@TempDir Path out) {
        List<LlavaRecord> records = LlavaJsonReader.read(data.resolve("train.json")).records();
        Path tokFile = WordLevelTokenizerFile.write(out.resolve("tokenizer.json"), WordLevelTokenizerFile.vocabulary(records));
        LlavaTrainConfig c = LlavaTrainConfig.preset("tiny", tiny(out));
        try (TextTokenizer tok = TextTokenizer.open(tokFile); NDManager m = NDManager.newBaseManager()) {
            LlavaSampleBuilder b = new LlavaSampleBuilder(tok, ChatTemplates.named("internlm2_chat", tokFile),
                    new ClipImageProcessor(32, true), data.resolve("images"), 128);
            SupervisedSample s = b.build(records.get(0));
            long[] ids = Arrays.stream(s.inputIds()).asLongStream().toArray();
            long[] labels = Arrays.stream(s.labels()).asLongStream().toArray();
            long learned = Arrays.stream(labels).filter(l -> l != -100).count();
            // the answer word and <|im_end|> are learned, the prompt (and the image) is not
            assertThat(learned).isEqualTo(2);
            assertThat(labels[labels.length - 1]).isEqualTo(tok.tokenId("<|im_end|>"));
            LlavaModel model = LlavaTrainer.buildModel(c, m);
            NDArray loss = model.forward(m, List.of(new LlavaSample(ids, labels, List.of(s.pixels()))), 128).loss();
            // by hand: mean of −log p(label) over the two learned positions, read off the logits
            NDArray logits = model.forward(m, List.of(new LlavaSample(ids, null, List.of(s.pixels()))), 128).logits();
            NDArray logp = logits.get(0).logSoftmax(1);
            int imageRows = 16;
            double sum = 0;
            int placeholder = Arrays.stream(s.inputIds()).boxed().toList().indexOf(-200);
            for (int i = 1; i < ids.length; i++) {
                if (labels[i] != -100) {
                    int pos = i + (i > placeholder ? imageRows - 1 : 0); // position of token i after the splice
                    sum -= logp.getFloat(pos - 1, labels[i]);
                }
            }
            assertThat((double) loss.getFloat()).isCloseTo(sum / learned, org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    private static List<Double> losses(Path out) throws Exception {
        return Files.readAllLines(out.resolve("metrics.jsonl")).stream()
                .map(l -> Double.parseDouble(l.replaceAll(".*\"loss\":([^}]*)}.*", "$1"))).toList();
    }

    @Test
    void fp16RunTrainsLikeFp32AndSavesFp32AdaptersThatLoadIntoAnFp32Model(@TempDir Path fp32, @TempDir Path fp16)
            throws Exception {
        train(cmd(tiny(fp32)));
        train(cmd(tiny(fp16, "precision=fp16")));
        List<Double> full = losses(fp32);
        List<Double> half = losses(fp16);
        assertThat(half).hasSize(6).allMatch(Double::isFinite);
        assertThat(half.get(5)).isLessThan(half.get(0));
        assertThat(Math.abs(half.get(0) - full.get(0)) / full.get(0)).isLessThan(1e-2);
        assertThat(Files.readString(fp16.resolve("train_config.json")))
                .contains("\"precision\" : \"fp16\"", "\"device\" : \"auto\"");
        for (String d : List.of("llm_adapter", "vision_adapter")) {
            try (SafetensorsFile f = SafetensorsFile.open(fp16.resolve(d + "/adapter_model.safetensors"))) {
                assertThat(f.tensors()).as(d).allMatch(t -> t.dtype() == io.moslora.io.DType.F32);
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            LlavaModel model = LlavaTrainer.baseModel(LlavaTrainConfig.preset("tiny", List.of()), m);
            TrainedLlava.apply(model, fp16, m);
            for (String path : List.of("language_model.model.layers.0.self_attn.q_proj",
                    "vision_tower.vision_model.encoder.layers.0.mlp.fc2")) { // layer 1 of 2 is past the features
                var adapter = (io.moslora.adapters.LoraLinear) model.get(path);
                NDArray b = adapter.loraB().weight().array();
                assertThat(b.getDataType()).as(path).isEqualTo(ai.djl.ndarray.types.DataType.FLOAT32);
                assertThat(b.abs().sum().getFloat()).as(path).isGreaterThan(0f); // trained: B left zero
                assertThat(adapter.child("base_layer")).as(path).isInstanceOf(io.moslora.nn.Linear.class);
            }
        }
    }

    @Test
    void halfPrecisionKeepsTheFrozenBaseInHalfTheBytesAndTrainablePartsInFp32() {
        try (NDManager m = NDManager.newBaseManager()) {
            LlavaModel full = LlavaTrainer.buildModel(LlavaTrainConfig.preset("tiny", List.of()), m);
            LlavaTrainConfig c = LlavaTrainConfig.preset("tiny", List.of("precision=fp16"));
            LlavaModel half = LlavaTrainer.buildModel(c, m);
            LlavaTrainer.prepareForTraining(half, c, m);
            assertThat(half.get("language_model.model.embed_tokens")).isInstanceOf(io.moslora.nn.HalfPrecisionEmbedding.class);
            assertThat(half.get("language_model.lm_head")).isInstanceOf(io.moslora.nn.HalfPrecisionLinear.class);
            assertThat(half.get("language_model.model.layers.0.self_attn.q_proj.base_layer"))
                    .isInstanceOf(io.moslora.nn.HalfPrecisionLinear.class);
            assertThat(half.get("vision_tower.vision_model.encoder.layers.0.mlp.fc1.base_layer"))
                    .isInstanceOf(io.moslora.nn.HalfPrecisionLinear.class);
            assertThat(half.get("multi_modal_projector.linear_1")).isInstanceOf(io.moslora.nn.Linear.class);
            half.trainableParameters().forEach((k, p) ->
                    assertThat(p.array().getDataType()).as(k).isEqualTo(ai.djl.ndarray.types.DataType.FLOAT32));
            java.util.Map<String, io.moslora.nn.Parameter> before = full.namedParameters();
            long fullBytes = 0;
            long halfBytes = 0;
            int converted = 0;
            for (var e : half.namedParameters().entrySet()) {
                NDArray a = e.getValue().array();
                if (a.getDataType() == ai.djl.ndarray.types.DataType.FLOAT16) {
                    assertThat(e.getValue().trainable()).as(e.getKey()).isFalse();
                    fullBytes += before.get(e.getKey().replace(".base_layer.", ".")).array().getShape().size() * 4;
                    halfBytes += a.getShape().size() * 2;
                    converted++;
                }
            }
            // the LLM's Linears (2 layers x 7 + head, no biases) and token embeddings, the tower's Linears (2 layers x
            // 6, weight and bias): exactly half the bytes they took in fp32
            assertThat(converted).isEqualTo(2 * 7 + 1 + 1 + 2 * 6 * 2);
            assertThat(halfBytes * 2).isEqualTo(fullBytes);
        }
    }

    @Test
    void bf16RunTrainsThroughTheBf16Facade(@TempDir Path out) throws Exception {
        train(cmd(tiny(out, "precision=bf16", "max_steps=3")));
        assertThat(losses(out)).hasSize(3).allMatch(Double::isFinite);
        try (NDManager m = NDManager.newBaseManager()) {
            LlavaModel model = LlavaTrainer.buildModel(LlavaTrainConfig.preset("tiny", List.of("precision=bf16")), m);
            NDArray w = model.languageModel().embeddings().weight().array();
            assertThat(io.moslora.engine.Bf16Guard.isBf16(w)).isTrue();
        }
    }

    @Test
    void resumedFp16RunEndsWithTheSameAdapterAsAnUninterruptedOne(@TempDir Path whole, @TempDir Path split) throws Exception {
        train(cmd(tiny(whole, "precision=fp16")));
        train(cmd(tiny(split, "precision=fp16", "checkpoint_every=3")));
        for (String d : List.of("llm_adapter", "vision_adapter")) {
            deleteTree(split.resolve(d));
        }
        train(cmd(tiny(split, "precision=fp16", "checkpoint_every=3"), "--resume"));
        assertThat(Files.readAllLines(split.resolve("metrics.jsonl"))).isEqualTo(Files.readAllLines(whole.resolve("metrics.jsonl")));
        for (String f : List.of("llm_adapter/adapter_model.safetensors", "vision_adapter/adapter_model.safetensors")) {
            assertThat(Arrays.equals(Files.readAllBytes(split.resolve(f)), Files.readAllBytes(whole.resolve(f)))).as(f).isTrue();
        }
    }

    @Test
    void unknownPrecisionAndCudaWithoutAGpuAreOneLineErrors(@TempDir Path out) {
        StringWriter err = new StringWriter();
        int rc = Cli.run(new LlavaCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err),
                cmd(tiny(out, "precision=fp8")));
        assertThat(rc).isEqualTo(1);
        assertThat(err.toString().strip()).doesNotContain("\n").contains("field precision", "fp8", "fp16");
        org.junit.jupiter.api.Assumptions.assumeTrue(ai.djl.engine.Engine.getInstance().getGpuCount() == 0,
                "this machine has a GPU");
        StringWriter err2 = new StringWriter();
        rc = Cli.run(new LlavaCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err2),
                cmd(tiny(out, "device=cuda")));
        assertThat(rc).isEqualTo(1);
        assertThat(err2.toString().strip()).doesNotContain("\n").contains("field device", "cuda", "no GPU");
    }

    private static void deleteTree(Path p) throws Exception {
        try (var walk = Files.walk(p)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
        }
    }
}
