package io.moslora.llava.merge;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.cli.Cli;
import io.moslora.config.HfConfigs;
import io.moslora.config.LlavaConfig;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SafetensorsWriter;
import io.moslora.io.ShardedCheckpoint;
import io.moslora.llava.LlavaCommand;
import io.moslora.llava.data.demo.DemoDatasetGenerator;
import io.moslora.llava.model.LlavaLoader;
import io.moslora.llava.model.LlavaModel;
import io.moslora.llava.model.LlavaSample;
import io.moslora.llava.model.TinyLlava;
import io.moslora.llava.model.XtunerPartsFixture;
import io.moslora.llava.train.LlavaTrainConfig;
import io.moslora.llava.train.LlavaTrainer;
import io.moslora.llava.train.TrainedLlava;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code llava merge}: the merged llava-hf checkpoint, loaded with no adapter, computes what the base with the
 * training output applied computes (to 1e-5 on a prompt with an image), under llava-hf's exact key set, whatever
 * the base's layout and sharding; bad inputs stop with one line naming the file, and leave no {@code --out}.
 */
class LlavaMergeTest {
    @TempDir Path dir;
    NDManager m;

    static final List<LlavaSample> PROMPT = List.of(new LlavaSample(new long[] {1, LlavaModel.IMAGE_TOKEN_INDEX, 20, 21, 5},
            null, List.of(TinyLlava.image(7))));

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    private Path llavaHfRun(Path base, long seed) throws IOException {
        LlavaTrainConfig c = MergeFixtures.config("model=" + base);
        return MergeFixtures.runOutput(dir.resolve("run"), LlavaLoader.load(base, m, DataType.FLOAT32), c, seed, m);
    }

    @Test
    void mergedLlavaHfCheckpointComputesTheFineTunedModel() throws IOException {
        Path base = MergeFixtures.llavaHfBase(dir.resolve("base"), 41, m);
        Path run = llavaHfRun(base, 42);
        Path out = dir.resolve("merged");
        String printed = merge("--model", base.toString(), "--adapter", run.toString(), "--out", out.toString());
        assertThat(printed).contains("26 adapted weights").contains("1 shard(s)");

        float[] want = logits(TrainedLlava.load(base, run, m));
        float[] got = logits(LlavaLoader.load(out, m, DataType.FLOAT32));
        assertClose(got, want, 1e-5f);
        // the base alone is far from the fine-tuned model, so the check above is about the merge
        assertThat(maxAbsDiff(logits(LlavaLoader.load(base, m, DataType.FLOAT32)), want)).isGreaterThan(1e-2f);

        // llava-hf's key set exactly: the model's parameters, and the base's own names
        Set<String> keys = namesIn(out);
        assertThat(keys).isEqualTo(new TreeSet<>(new LlavaModel(TinyLlava.config()).namedParameters().keySet()));
        assertThat(keys).isEqualTo(namesIn(base)).contains("language_model.lm_head.weight",
                "vision_tower.vision_model.pre_layrnorm.weight", "multi_modal_projector.linear_2.bias");
        // untouched tensors are copied byte for byte, adapted ones are not
        assertThat(sameBytes(base, out, "language_model.model.embed_tokens.weight")).isTrue();
        assertThat(sameBytes(base, out, "vision_tower.vision_model.post_layernorm.bias")).isTrue();
        assertThat(sameBytes(base, out, "language_model.model.layers.1.mlp.down_proj.weight")).isFalse();

        LlavaConfig config = HfConfigs.load(out.resolve("config.json"), LlavaConfig.class);
        assertThat(config.imageTokenIndex()).isEqualTo(256); // as the base says
        assertThat(Files.readString(out.resolve("tokenizer.json"))).contains("base tokenizer");
        assertThat(out.resolve("generation_config.json")).isRegularFile();
        assertThat(out.resolve("train_config.json")).isRegularFile();
        assertThat(out.resolve("notes.txt")).doesNotExist();
        assertNoTemporaryFolders();
    }

    @Test
    void tinyMaxShardSizeGivesShardsThatLoadIdentically() throws IOException {
        Path base = MergeFixtures.llavaHfBase(dir.resolve("base"), 43, m);
        Path run = llavaHfRun(base, 44);
        Path single = dir.resolve("single");
        Path sharded = dir.resolve("sharded");
        merge("--model", base.toString(), "--adapter", run.toString(), "--out", single.toString());
        String printed = merge("--model", base.toString(), "--adapter", run.toString(), "--out", sharded.toString(),
                "--max-shard-size", "40KB");
        assertThat(sharded.resolve("model.safetensors")).doesNotExist();
        JsonNode index = new ObjectMapper().readTree(sharded.resolve("model.safetensors.index.json").toFile());
        Set<String> shardFiles = new TreeSet<>();
        index.get("weight_map").forEach(f -> shardFiles.add(f.asText()));
        assertThat(shardFiles.size()).isGreaterThan(3);
        assertThat(printed).contains(shardFiles.size() + " shard(s)");
        assertThat(namesIn(sharded)).isEqualTo(namesIn(single));
        try (ShardedCheckpoint a = ShardedCheckpoint.open(single); ShardedCheckpoint b = ShardedCheckpoint.open(sharded)) {
            for (String k : a.names()) {
                assertThat(b.rawBytes(k)).as(k).isEqualTo(a.rawBytes(k));
            }
        }
        assertThat(logits(LlavaLoader.load(sharded, m, DataType.FLOAT32)))
                .containsExactly(logits(LlavaLoader.load(single, m, DataType.FLOAT32)));
    }

    @Test
    void newerTransformersLayoutMergesIntoLlavaHfNames() throws IOException {
        Path base = MergeFixtures.llavaHfBase(dir.resolve("nested"), 57, m, MergeFixtures.NESTED);
        assertThat(namesIn(base)).contains("model.language_model.norm.weight", "lm_head.weight");
        Path run = llavaHfRun(base, 58);
        Path out = dir.resolve("merged");
        merge("--model", base.toString(), "--adapter", run.toString(), "--out", out.toString());
        assertThat(namesIn(out)).isEqualTo(new TreeSet<>(new LlavaModel(TinyLlava.config()).namedParameters().keySet()));
        assertClose(logits(LlavaLoader.load(out, m, DataType.FLOAT32)), logits(TrainedLlava.load(base, run, m)), 1e-5f);
    }

    @Test
    void xtunerPartsMergeIntoLlavaHfLayout() throws IOException {
        XtunerPartsFixture.Parts parts = MergeFixtures.xtunerBase(dir.resolve("xtuner"), 45, m);
        LlavaTrainConfig c = MergeFixtures.config("model=", "llm=" + parts.llm(), "vision_tower=" + parts.clip(),
                "projector=" + parts.projector());
        Path run = MergeFixtures.runOutput(dir.resolve("run"),
                LlavaLoader.loadParts(parts.llm(), parts.clip(), parts.projector(), m, DataType.FLOAT32), c, 46, m);
        Path out = dir.resolve("merged");
        merge("--adapter", run.toString(), "--out", out.toString()); // the base as the run's config names it

        LlavaModel want = LlavaLoader.loadParts(parts.llm(), parts.clip(), parts.projector(), m, DataType.FLOAT32);
        TrainedLlava.apply(want, run, m);
        assertClose(logits(LlavaLoader.load(out, m, DataType.FLOAT32)), logits(want), 1e-5f);
        assertThat(namesIn(out)).isEqualTo(new TreeSet<>(new LlavaModel(TinyLlava.config()).namedParameters().keySet()));
        LlavaConfig config = HfConfigs.load(out.resolve("config.json"), LlavaConfig.class);
        assertThat(config.imageTokenIndex()).isEqualTo(32000);
        assertThat(config.architectures()).containsExactly("LlavaForConditionalGeneration");
        assertThat(config.visionConfig().hiddenSize()).isEqualTo(64);
        assertThat(config.textConfig().vocabSize()).isEqualTo(320);
        assertThat(Files.readString(out.resolve("tokenizer.json"))).contains("llm tokenizer");
        assertThat(out.resolve("preprocessor_config.json")).isRegularFile();

        // the same parts named on the command line give the same bytes
        Path again = dir.resolve("again");
        merge("--llm", parts.llm().toString(), "--visual-encoder", parts.clip().toString(), "--projector",
                parts.projector().toString(), "--adapter", run.toString(), "--out", again.toString());
        assertThat(Files.readAllBytes(again.resolve("model.safetensors"))).isEqualTo(Files.readAllBytes(out.resolve("model.safetensors")));
    }

    @Test
    void qmosloraRunMergesOntoTheNf4DequantizedLlm() throws IOException {
        Path data = dir.resolve("data");
        DemoDatasetGenerator.generate(data, new DemoDatasetGenerator.Options(12, 4, 32, 3, 0.3, false));
        Path run = dir.resolve("run");
        List<String> args = new ArrayList<>(List.of("train", "--config", "tiny", "--no-progress"));
        for (String s : List.of("data_path=" + data.resolve("train.json"), "image_folder=" + data.resolve("images"),
                "output_dir=" + run, "batch_size=2", "grad_accum=1", "max_steps=3", "llm_adapter.r=4",
                "vision_adapter.r=4", "llm_quantization=nf4", "lr=0.01")) {
            args.add("--set");
            args.add(s);
        }
        assertThat(cli(args.toArray(String[]::new))[0]).isEqualTo("0");
        Path out = dir.resolve("merged");
        String printed = merge("--adapter", run.toString(), "--out", out.toString()); // tiny base rebuilt from the seed
        assertThat(printed).contains("14 LLM weights on their NF4 values");

        LlavaTrainConfig c = LlavaTrainConfig.load(run.resolve(LlavaTrainer.RESOLVED_CONFIG), List.of());
        LlavaModel fineTuned = LlavaTrainer.baseModel(c, m);
        TrainedLlava.apply(fineTuned, run, m); // NF4 LLM with the adapters, as chat and eval use it
        float[] want = logits(fineTuned);
        assertClose(logits(LlavaLoader.load(out, m, DataType.FLOAT32)), want, 1e-5f);
        // merging onto the original fp32 weights instead would give a different model
        LlavaModel onOriginal = LlavaTrainer.baseModel(c, m);
        io.moslora.llava.chat.LlavaAdapters.attach(onOriginal, run.resolve(LlavaTrainer.LLM_ADAPTER), m);
        assertThat(maxAbsDiff(logits(onOriginal), want)).isGreaterThan(1e-3f);
        assertThat(out.resolve("tokenizer.json")).isRegularFile(); // the run's demo tokenizer
    }

    @Test
    void aSinglePeftAdapterMergesWhereItsKeysSayItWasMade() throws IOException {
        Path base = MergeFixtures.llavaHfBase(dir.resolve("base"), 59, m);
        Path run = llavaHfRun(base, 60);
        Path llmAdapter = run.resolve(LlavaTrainer.LLM_ADAPTER); // made on the LLM alone: model.layers.…
        Path out = dir.resolve("merged");
        assertThat(merge("--model", base.toString(), "--adapter", llmAdapter.toString(), "--out", out.toString()))
                .contains("14 adapted weights");
        LlavaModel want = LlavaLoader.load(base, m, DataType.FLOAT32);
        io.moslora.llava.chat.LlavaAdapters.attach(want, llmAdapter, m);
        assertClose(logits(LlavaLoader.load(out, m, DataType.FLOAT32)), logits(want), 1e-5f);
        // no trained projector comes with a single adapter: the base's is kept as it was
        assertThat(sameBytes(base, out, "multi_modal_projector.linear_1.weight")).isTrue();
        assertThat(refused("--adapter", llmAdapter.toString())).contains("a single PEFT adapter does not say its base");
    }

    @Test
    void anAdapterOfAnotherRankIsRefusedNamingTheFileAndField() throws IOException {
        Path base = MergeFixtures.llavaHfBase(dir.resolve("base"), 47, m);
        Path run = llavaHfRun(base, 48);
        Path cfg = run.resolve("llm_adapter/adapter_config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("\"r\" : 4", "\"r\" : 8"));
        assertThat(Files.readString(cfg)).contains("\"r\" : 8");
        String err = refused("--model", base.toString(), "--adapter", run.toString());
        assertThat(err).contains(run.resolve("llm_adapter/adapter_model.safetensors").toString())
                .contains("rank r=8 (adapter_config.json)").contains("lora_A.weight has shape [4, ");
    }

    @Test
    void aMissingProjectorFileIsRefused() throws IOException {
        Path base = MergeFixtures.llavaHfBase(dir.resolve("base"), 49, m);
        Path run = llavaHfRun(base, 50);
        Files.delete(run.resolve(LlavaTrainer.PROJECTOR));
        String err = refused("--model", base.toString(), "--adapter", run.toString());
        assertThat(err).contains(run.resolve(LlavaTrainer.PROJECTOR).toString()).contains("projector file missing");
        XtunerPartsFixture.Parts parts = MergeFixtures.xtunerBase(dir.resolve("xtuner"), 51, m);
        Path run2 = llavaHfRun(base, 52);
        String err2 = refused("--llm", parts.llm().toString(), "--visual-encoder", parts.clip().toString(),
                "--projector", dir.resolve("nowhere/projector.safetensors").toString(), "--adapter", run2.toString());
        assertThat(err2).contains("nowhere/projector.safetensors: projector file not found (--projector)");
    }

    @Test
    void aTargetModuleTheBaseLacksIsRefused() throws IOException {
        Path base = MergeFixtures.llavaHfBase(dir.resolve("base"), 53, m);
        Path run = llavaHfRun(base, 54);
        Path file = run.resolve("llm_adapter/adapter_model.safetensors");
        SafetensorsWriter w = new SafetensorsWriter();
        byte[] moved;
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String k : f.names()) {
                ByteBuffer b = f.rawBytes(k);
                byte[] copy = new byte[b.remaining()];
                b.get(copy);
                w.add(k.replace("layers.1.mlp.up_proj", "layers.9.mlp.up_proj"), f.info(k).dtype(), f.info(k).shape(), copy);
            }
        }
        w.write(file);
        String err = refused("--model", base.toString(), "--adapter", run.toString());
        assertThat(err).contains(file.toString()).contains("targets 1 module(s) the base has no weight for")
                .contains("model.layers.9.mlp.up_proj");
    }

    @Test
    void anExistingOutputIsNeverReplaced() throws IOException {
        Path base = MergeFixtures.llavaHfBase(dir.resolve("base"), 55, m);
        Path run = llavaHfRun(base, 56);
        Path out = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(out.resolve("keep.txt"), "mine");
        String[] r = cli("merge", "--model", base.toString(), "--adapter", run.toString(), "--out", out.toString(), "--no-progress");
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).contains(out + ": already exists (--out)");
        assertThat(Files.readString(out.resolve("keep.txt"))).isEqualTo("mine");
    }

    /** Exit 1, one line on stderr, and neither --out nor a temporary folder left behind. */
    private String refused(String... args) {
        Path out = dir.resolve("refused");
        List<String> a = new ArrayList<>(List.of("merge", "--out", out.toString(), "--no-progress"));
        a.addAll(List.of(args));
        String[] r = cli(a.toArray(String[]::new));
        assertThat(r[0]).as(r[2]).isEqualTo("1");
        assertThat(r[2].strip()).doesNotContain("\n").isNotEmpty();
        assertThat(out).doesNotExist();
        assertNoTemporaryFolders();
        return r[2];
    }

    private String merge(String... args) {
        List<String> a = new ArrayList<>(List.of("merge", "--no-progress"));
        a.addAll(List.of(args));
        String[] r = cli(a.toArray(String[]::new));
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        return r[1];
    }

    private static String[] cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Cli.run(new LlavaCommand(), new PrintWriter(out), new PrintWriter(err), args);
        return new String[] {Integer.toString(rc), out.toString(), err.toString()};
    }

    private void assertNoTemporaryFolders() {
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private float[] logits(LlavaModel model) {
        return model.forward(m, PROMPT).logits().toFloatArray();
    }

    private static float maxAbsDiff(float[] a, float[] b) {
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static void assertClose(float[] got, float[] want, float tol) {
        assertThat(got).hasSameSizeAs(want);
        assertThat(maxAbsDiff(got, want)).isLessThanOrEqualTo(tol);
    }

    private static Set<String> namesIn(Path folder) {
        try (ShardedCheckpoint c = ShardedCheckpoint.open(folder)) {
            return new TreeSet<>(c.names());
        }
    }

    private static boolean sameBytes(Path a, Path b, String key) {
        try (ShardedCheckpoint x = ShardedCheckpoint.open(a); ShardedCheckpoint y = ShardedCheckpoint.open(b)) {
            return x.rawBytes(key).equals(y.rawBytes(key));
        }
    }
}
