package io.moslora.llava.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.AdapterKind;
import io.moslora.bench.InterleavedRounds;
import io.moslora.config.LlavaConfig;
import io.moslora.config.TinyConfigs;
import io.moslora.engine.Seeds;
import io.moslora.llava.model.LlavaModel;
import io.moslora.llava.model.LlavaSample;
import io.moslora.llava.train.LlavaTrainer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Training throughput of a small LLaVA (CLIP tower, {@code mlp2x_gelu} projector, LLaMA decoder) with LoRA, MoSLoRA
 * and QMoSLoRA on the LLM's q,k,v,o,gate,up,down; projector trainable, vision tower frozen. Each step is the real
 * training computation: images through the tower, features spliced at {@code <image>}, shifted cross-entropy over
 * the answer tokens, backward, AdamW. The variants are built once and timed interleaved ({@link InterleavedRounds}).
 */
public final class LlavaTrainBenchmark {
    /** The model config the bench builds: {@code small} (a few million parameters) or the shipped {@code tiny}. */
    public enum Preset {
        SMALL, TINY;

        /** The llava-hf {@code config.json} text of this preset (the PyTorch peer reads the same file). */
        public byte[] configJson() {
            String resource = this == SMALL ? "small-llava.json" : "tiny/tiny-llava.json";
            Class<?> owner = this == SMALL ? LlavaTrainBenchmark.class : TinyConfigs.class;
            try (InputStream in = owner.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + resource);
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public LlavaConfig config() {
            try {
                return LlavaConfig.fromJson(new ObjectMapper().readTree(configJson()), Path.of(name().toLowerCase() + "-llava.json"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public enum Variant {
        LORA("LoRA"), MOSLORA("MoSLoRA"), QMOSLORA("QMoSLoRA (NF4 LLM)");

        public final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    /**
     * @param textTokens each sample's text ids, counting BOS and the {@code <image>} placeholder; the second half
     *     of them is the learned answer
     */
    public record Settings(Preset preset, int batch, int textTokens, int rank, int warmup, int rounds, int steps) {
        public Settings {
            if (batch < 1 || textTokens < 4 || rank < 1 || warmup < 0 || rounds < 1 || steps < 1) {
                throw new IllegalArgumentException("batch, rank, rounds, steps must be ≥ 1, text tokens ≥ 4, warmup ≥ 0");
            }
        }

        public int answerTokens() {
            return textTokens / 2;
        }

        /** LoRA's α, 2r as in the paper's LLM recipe. */
        public double alpha() {
            return 2.0 * rank;
        }
    }

    public static final List<String> TARGETS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
            "down_proj");

    /** What one variant measured. */
    public record Row(Variant variant, long trainableParameters, long totalParameters, double stepMsMedian,
            double inputTokensPerSecond, double supervisedTokensPerSecond) {}

    private final Settings s;
    private final LlavaConfig config;
    private final List<LlavaSample> batch;

    public LlavaTrainBenchmark(Settings s) {
        this.s = s;
        this.config = s.preset().config();
        this.batch = batch(s, config);
    }

    public LlavaConfig config() {
        return config;
    }

    /** Positions the LLM sees per step: text (without the placeholder) plus the image's feature rows, all samples. */
    public long inputTokensPerStep() {
        return (long) s.batch() * (s.textTokens() - 1 + config.imageFeatureTokens());
    }

    /** Positions with a learned next token per step: the answers. */
    public long supervisedTokensPerStep() {
        return (long) s.batch() * s.answerTokens();
    }

    /** Timed and warm-up steps {@link #run} makes, for a progress bar. */
    public long stepsToRun() {
        return (long) Variant.values().length * (s.warmup() + s.rounds()) * s.steps();
    }

    /** Builds the three variants, times them interleaved and returns one row each; {@code afterStep} after each step. */
    public List<Row> run(NDManager root, Runnable afterStep) {
        Map<String, Runnable> cases = new LinkedHashMap<>();
        Map<Variant, LlavaModel> models = new EnumMap<>(Variant.class);
        for (Variant v : Variant.values()) {
            LlavaModel model = build(v, root);
            models.put(v, model);
            cases.put(v.name(), trainStep(model, root));
        }
        Map<String, InterleavedRounds.Timing> ms = InterleavedRounds.medians(
                InterleavedRounds.time(cases, s.warmup(), s.rounds(), s.steps(), 42, afterStep));
        List<Row> rows = new ArrayList<>();
        for (Variant v : Variant.values()) {
            double stepMs = ms.get(v.name()).wallMs();
            double seconds = stepMs / 1000;
            LlavaModel m = models.get(v);
            rows.add(new Row(v, m.trainableParameterCount(), m.parameterCount(), stepMs,
                    inputTokensPerStep() / seconds, supervisedTokensPerStep() / seconds));
        }
        return rows;
    }

    /**
     * The variant's model: the same seeded base for all, the LLM's decoder Linears quantized to NF4 with double
     * quantization for QMoSLoRA, the adapter injected with the same seed, the projector trainable.
     */
    public LlavaModel build(Variant v, NDManager m) {
        Seeds.seed(1);
        LlavaModel model = new LlavaModel(config);
        model.materialize(m, DataType.FLOAT32);
        if (v == Variant.QMOSLORA) {
            LlavaTrainer.quantizeLlm(model, m);
        }
        model.setTrainable(false);
        Seeds.seed(2);
        AdapterKind kind = v == Variant.LORA ? AdapterKind.LORA : AdapterKind.MOSLORA;
        AdapterInjector.inject(model.languageModel(), AdapterConfig.of(kind, s.rank(), s.alpha(), TARGETS), m);
        model.projector().setTrainable(true);
        return model;
    }

    /** One training step of {@code model} on the bench batch. */
    public Runnable trainStep(LlavaModel model, NDManager root) {
        return AdamWStep.of(model.trainableParameters(), root, m -> model.forward(m, batch, 0).loss());
    }

    /**
     * The bench batch, seeded: {@code [BOS, <image>, prompt…, answer…]} with random ids, labels on the answer only,
     * one random-normal image per sample (values do not change the cost).
     */
    static List<LlavaSample> batch(Settings s, LlavaConfig c) {
        Random random = new Random(7);
        int vocab = c.textConfig().vocabSize();
        var v = c.visionConfig();
        int pixels = v.numChannels() * v.imageSize() * v.imageSize();
        List<LlavaSample> batch = new ArrayList<>();
        for (int b = 0; b < s.batch(); b++) {
            long[] ids = new long[s.textTokens()];
            long[] labels = new long[s.textTokens()];
            Arrays.fill(labels, LlavaModel.IGNORE_INDEX);
            ids[0] = 1;
            ids[1] = LlavaModel.IMAGE_TOKEN_INDEX;
            for (int i = 2; i < ids.length; i++) {
                ids[i] = 3 + random.nextInt(vocab - 3);
                if (i >= ids.length - s.answerTokens()) {
                    labels[i] = ids[i];
                }
            }
            float[] image = new float[pixels];
            for (int i = 0; i < pixels; i++) {
                image[i] = (float) random.nextGaussian();
            }
            batch.add(new LlavaSample(ids, labels, List.of(image)));
        }
        return batch;
    }
}
