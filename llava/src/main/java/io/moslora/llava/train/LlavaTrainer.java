package io.moslora.llava.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.PeftAdapters;
import io.moslora.cli.UserError;
import io.moslora.config.LlavaConfig;
import io.moslora.config.TinyConfigs;
import io.moslora.engine.Seeds;
import io.moslora.io.AtomicFiles;
import io.moslora.nn.Embedding;
import io.moslora.nn.HalfPrecisionBase;
import io.moslora.nn.Precision;
import io.moslora.io.SafetensorsWriter;
import io.moslora.llava.data.ClipImageProcessor;
import io.moslora.llava.data.DataScan;
import io.moslora.llava.data.LlavaRecord;
import io.moslora.llava.data.LlavaSampleBuilder;
import io.moslora.llava.data.SupervisedSample;
import io.moslora.llava.demo.WordLevelTokenizerFile;
import io.moslora.llava.model.CausalLM;
import io.moslora.llava.model.LlavaLoader;
import io.moslora.llava.model.LlavaModel;
import io.moslora.quant.QuantOptions;
import io.moslora.quant.Quantizer;
import io.moslora.llava.model.LlavaSample;
import io.moslora.llava.template.ChatTemplate;
import io.moslora.llava.template.ChatTemplates;
import io.moslora.llava.tokenizer.TextTokenizer;
import io.moslora.train.Trainer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code llava train}: LLaVA visual instruction tuning with LoRA / MoSLoRA on the LLM and on the vision tower
 * (each with its own settings) and a trainable projector, through the shared {@link Trainer} (AdamW, warm-up +
 * cosine, clipping, accumulation, checkpoints with exact resume, metrics and loss curve). Outputs in
 * {@code output_dir}: {@code llm_adapter/} and {@code vision_adapter/} (PEFT), {@code projector.safetensors}
 * (llava-hf names), {@code train_config.json} (the resolved config) and, for the word-level demo tokenizer,
 * {@code tokenizer.json}.
 */
public final class LlavaTrainer {
    public static final String LLM_ADAPTER = "llm_adapter";
    public static final String VISION_ADAPTER = "vision_adapter";
    public static final String PROJECTOR = "projector.safetensors";
    public static final String RESOLVED_CONFIG = "train_config.json";
    public static final String TOKENIZER = "tokenizer.json";
    /** With {@code train_base}: the whole trained model as a llava-hf folder. */
    public static final String MODEL = "model";
    /** {@code tokenizer: demo}: a word-level tokenizer made from the training text. */
    public static final String DEMO_TOKENIZER = "demo";
    /** {@code model: tiny}: the shipped tiny LLaVA with random weights drawn from the seed. */
    public static final String TINY_MODEL = "tiny";
    /** QMoSLoRA's quantization: QLoRA's NF4 with double quantization on the decoder layers' Linears. */
    public static final QuantOptions LLM_NF4 = QuantOptions.qlora().withPatterns("^model\\.layers\\.", null);

    /** What a run did; {@code tokensPerSecond} counts the learned-or-not positions of text fed to the LLM. */
    public record Result(Path outputDir, long totalSteps, Trainer.Result training, long trainableParameters,
            long totalParameters, long tokens, double peakMemoryMiB) {
        public double tokensPerSecond() {
            return training.seconds() > 0 ? tokens / training.seconds() : 0;
        }
    }

    private LlavaTrainer() {}

    public static Result run(LlavaTrainConfig c, boolean resume, boolean progress, PrintWriter log) {
        Path out = Path.of(c.outputDir());
        Path dataFile = requireSet(c.dataPath(), "data_path");
        Path imageRoot = requireSet(c.imageFolder(), "image_folder");
        List<LlavaRecord> records = DataScan.requireUsable(DataScan.scan(dataFile, imageRoot, progress), dataFile,
                c.skipBad(), log);
        if (records.isEmpty()) {
            throw new UserError(dataFile + ": no usable training samples");
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UserError("output_dir " + out + ": cannot create (" + e.getMessage() + ")");
        }
        AtomicFiles.writeString(out.resolve(RESOLVED_CONFIG), c.resolvedJson());
        Path tokenizerFile = tokenizerFile(c, records, out);
        try (TextTokenizer tok = TextTokenizer.open(tokenizerFile);
                NDManager root = NDManager.newBaseManager(TrainingDevice.resolve(c.device()));
                PeakMemory peak = new PeakMemory()) {
            ChatTemplate template = ChatTemplates.named(c.template(), tokenizerFile);
            LlavaModel model = buildModel(c, root);
            prepareForTraining(model, c, root);
            int imageSize = model.config().visionConfig().imageSize();
            LlavaSampleBuilder builder = new LlavaSampleBuilder(tok, template, new ClipImageProcessor(imageSize, true),
                    imageRoot, c.maxLength());
            SampleCache samples = new SampleCache(records, builder, model.config().textConfig().vocabSize(), dataFile);
            TrainingBatches batches = new TrainingBatches(records.size(), c.batchSize(), c.gradAccum(), c.seed());
            long steps = c.totalSteps(records.size());
            AtomicLong tokens = new AtomicLong();
            Trainer.Settings s = new Trainer.Settings(steps, c.gradAccum(), c.maxGradNorm(), c.schedule(steps),
                    c.weightDecay(), c.seed(), c.checkpointEvery(), c.keepCheckpoints(), out, resume, "llava train",
                    progress);
            Trainer.Result r = Trainer.run(model, s, (step, micro, scope) -> {
                List<LlavaSample> batch = new ArrayList<>();
                for (int i : batches.indices(step, micro)) {
                    LlavaSample sample = samples.get(i);
                    tokens.addAndGet(sample.ids().length);
                    batch.add(sample);
                }
                NDArray loss = model.forward(scope.manager(), batch, c.maxLength()).loss();
                float value = loss.getFloat();
                if (!Float.isFinite(value)) {
                    // stop rather than let NaN weights reach the outputs
                    throw new UserError("llava train: the loss is " + value + " at step " + (step + 1) + " (micro-batch "
                            + micro + "); lower lr (now " + c.lr() + ") or resume from an earlier checkpoint");
                }
                return loss;
            }, root);
            saveOutputs(model, c, out, tokenizerFile);
            if (log != null) {
                log.printf(Locale.ROOT, "llava train: %d steps (%d this run) in %.1f s, final loss %.4f, %.0f tokens/s, "
                        + "%,d trainable of %,d parameters, base in %s on %s; outputs in %s%n", steps, r.stepsRun(), r.seconds(),
                        r.finalLoss(Math.max(1, (int) (steps / 10))), r.seconds() > 0 ? tokens.get() / r.seconds() : 0,
                        model.trainableParameterCount(), model.parameterCount(), c.precision().configName(),
                        root.getDevice(), out);
                log.flush();
            }
            return new Result(out, steps, r, model.trainableParameterCount(), model.parameterCount(), tokens.get(),
                    peak.peakMiB());
        }
    }

    private static Path requireSet(String value, String field) {
        if (value == null) {
            throw new UserError("training config: field " + field + " is missing");
        }
        return Path.of(value);
    }

    private static Path tokenizerFile(LlavaTrainConfig c, List<LlavaRecord> records, Path out) {
        if (DEMO_TOKENIZER.equals(c.tokenizer())) {
            return WordLevelTokenizerFile.write(out.resolve(TOKENIZER), WordLevelTokenizerFile.vocabulary(records));
        }
        String t = c.tokenizer() != null ? c.tokenizer() : c.model() != null ? c.model() : c.llm();
        if (t == null || TINY_MODEL.equals(t)) {
            throw new UserError("training config: field tokenizer: missing (a tokenizer.json / tokenizer.model, or demo)");
        }
        return Path.of(t);
    }

    /**
     * The base model: tiny with seeded random weights, a llava-hf folder, or XTuner's three parts, in fp32 — with the
     * LLM's decoder layers quantized to NF4 when {@code llm_quantization} is {@code nf4}, and the rest of the frozen
     * base narrowed to {@code precision}.
     */
    static LlavaModel buildModel(LlavaTrainConfig c, NDManager m) {
        LlavaModel model = baseModel(c, m);
        if ("nf4".equals(c.llmQuantization())) {
            quantizeLlm(model, m);
        }
        applyPrecision(model, c.precision());
        return model;
    }

    /**
     * fp16 / bf16: the frozen LLM and vision tower — their Linears (the 4-bit ones excepted) and the token
     * embeddings — kept and multiplied in the half type; the projector, the norms, CLIP's patch and position
     * embeddings and every adapter stay fp32 (PEFT practice). fp32 changes nothing.
     */
    public static void applyPrecision(LlavaModel model, Precision precision) {
        CausalLM lm = model.languageModel();
        Embedding embeddings = lm.embeddings();
        lm.namedModules().forEach((path, module) -> {
            if (module == embeddings) {
                HalfPrecisionBase.convertEmbedding(lm, path, precision);
            }
        });
        HalfPrecisionBase.convertLinears(lm, precision);
        HalfPrecisionBase.convertLinears(model.visionTower(), precision);
    }

    /** The run's base in fp32, never quantized: what {@code llava merge} folds the adapters into. */
    public static LlavaModel baseModel(LlavaTrainConfig c, NDManager m) {
        LlavaModel model;
        if (TINY_MODEL.equals(c.model())) {
            Seeds.seed(c.seed());
            model = new LlavaModel(TinyConfigs.load("tiny-llava", LlavaConfig.class));
            model.materialize(m, DataType.FLOAT32);
        } else if (c.model() != null) {
            model = LlavaLoader.load(Path.of(c.model()), m, DataType.FLOAT32);
        } else {
            model = LlavaLoader.loadParts(Path.of(c.llm()), Path.of(c.visionTower()), Path.of(c.projector()), m,
                    DataType.FLOAT32);
        }
        return model;
    }

    /**
     * QMoSLoRA's base: the LLM's decoder Linears become frozen NF4 layers with double quantization; the embeddings,
     * the head, the vision tower and the projector stay in fp32, as QLoRA keeps them.
     */
    public static void quantizeLlm(LlavaModel model, NDManager m) {
        Quantizer.quantizeModel(model.get("language_model"), LLM_NF4, m);
    }

    /** Freezes the base, injects the configured adapters (seeded), and opens the projector if asked. */
    public static void prepareForTraining(LlavaModel model, LlavaTrainConfig c, NDManager m) {
        if (c.trainBase()) {
            model.setTrainable(true);
            return;
        }
        model.setTrainable(false);
        Seeds.seed(c.seed() + 1);
        if (c.llmAdapter().enabled()) {
            AdapterInjector.inject(model.languageModel(), c.llmAdapter().toAdapterConfig(), m);
        }
        if (c.visionAdapter().enabled()) {
            AdapterInjector.inject(model.visionTower(), c.visionAdapter().toAdapterConfig(), m);
        }
        model.projector().setTrainable(c.trainProjector());
        if (model.trainableParameterCount() == 0) {
            throw new UserError("training config: nothing to train (no llm_adapter, no vision_adapter, train_projector false)");
        }
    }

    static void saveOutputs(LlavaModel model, LlavaTrainConfig c, Path out, Path tokenizerFile) {
        if (c.trainBase()) {
            saveModel(model, c, tokenizerFile, out.resolve(MODEL));
            return;
        }
        if (c.llmAdapter().enabled()) {
            PeftAdapters.save(model.languageModel(), c.llmAdapter().toAdapterConfig(), out.resolve(LLM_ADAPTER));
        }
        if (c.visionAdapter().enabled()) {
            PeftAdapters.save(model.visionTower(), c.visionAdapter().toAdapterConfig(), out.resolve(VISION_ADAPTER));
        }
        SafetensorsWriter w = new SafetensorsWriter();
        model.projector().namedParameters().forEach((k, p) -> w.add("multi_modal_projector." + k, p.array()));
        w.write(out.resolve(PROJECTOR));
    }

    /**
     * A llava-hf folder ({@code config.json}, {@code model.safetensors}, the tokenizer) that {@code model:} and
     * {@code llava chat --model} load.
     */
    public static void saveModel(LlavaModel model, LlavaTrainConfig c, Path tokenizerFile, Path dir) {
        try {
            Files.createDirectories(dir);
            if (TINY_MODEL.equals(c.model())) {
                try (InputStream in = TinyConfigs.class.getResourceAsStream("tiny/tiny-llava.json")) {
                    AtomicFiles.writeBytes(dir.resolve("config.json"), in.readAllBytes());
                }
            } else if (c.model() != null) {
                AtomicFiles.writeBytes(dir.resolve("config.json"), Files.readAllBytes(Path.of(c.model()).resolve("config.json")));
            } else {
                throw new UserError("training config: field train_base: saving a whole model needs model: (a llava-hf folder or tiny)");
            }
            AtomicFiles.writeString(dir.resolve(RESOLVED_CONFIG), c.resolvedJson()); // its chat template, for eval
            if (Files.isRegularFile(tokenizerFile)) {
                AtomicFiles.writeBytes(dir.resolve(tokenizerFile.getFileName().toString()), Files.readAllBytes(tokenizerFile));
            }
        } catch (IOException e) {
            throw new UserError(dir + ": cannot write the model (" + e.getMessage() + ")");
        }
        SafetensorsWriter w = new SafetensorsWriter();
        model.stateDict().forEach(w::add);
        w.write(dir.resolve("model.safetensors"));
    }

    /** Built samples by index, kept once built: images decode and resize once per run, not once per epoch. */
    private static final class SampleCache {
        private final List<LlavaRecord> records;
        private final LlavaSampleBuilder builder;
        private final int vocab;
        private final Path dataFile;
        private final LlavaSample[] built;

        SampleCache(List<LlavaRecord> records, LlavaSampleBuilder builder, int vocab, Path dataFile) {
            this.records = records;
            this.builder = builder;
            this.vocab = vocab;
            this.dataFile = dataFile;
            this.built = new LlavaSample[records.size()];
        }

        LlavaSample get(int i) {
            if (built[i] == null) {
                SupervisedSample s = builder.build(records.get(i));
                long[] ids = Arrays.stream(s.inputIds()).asLongStream().toArray();
                for (long id : ids) {
                    if (id >= vocab) {
                        throw new UserError(dataFile + ": sample id " + s.id() + " has token id " + id
                                + " but the model's vocabulary has " + vocab + " rows; tokenizer and model do not match");
                    }
                }
                long[] labels = Arrays.stream(s.labels()).asLongStream().toArray();
                built[i] = new LlavaSample(ids, labels, s.hasImage() ? List.of(s.pixels()) : List.of());
            }
            return built[i];
        }
    }

    /** The projector weights of a training output, by llava-hf name. */
    public static Path projectorFile(Path outputDir) {
        return outputDir.resolve(PROJECTOR);
    }

}
