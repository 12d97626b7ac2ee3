package io.moslora.llava.experiment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.MixerInit;
import io.moslora.config.LlamaConfig;
import io.moslora.engine.Seeds;
import io.moslora.llava.model.CausalLM;
import io.moslora.llava.model.CausalLmLoss;
import io.moslora.nn.StateDictLoader;
import io.moslora.nn.TensorSource;
import io.moslora.train.LrSchedule;
import io.moslora.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mixer experiment: a small LLaMA-style decoder is pre-trained (fully) to copy sequences, frozen, and then
 * fine-tuned to reverse them with LoRA, MoSLoRA under each mixer init, and TS-Mixing, at equal rank, over several
 * seeds. Whatever the numbers show is what gets reported.
 */
public final class MixerExperiment {
    /** One adapter setting under comparison. */
    public record Variant(String name, AdapterKind kind, MixerInit init) {}

    public static final List<Variant> VARIANTS = List.of(
            new Variant("lora", AdapterKind.LORA, MixerInit.KAIMING),
            new Variant("moslora-kaiming", AdapterKind.MOSLORA, MixerInit.KAIMING),
            new Variant("moslora-orthogonal", AdapterKind.MOSLORA, MixerInit.ORTHOGONAL),
            new Variant("moslora-identity", AdapterKind.MOSLORA, MixerInit.IDENTITY),
            new Variant("moslora-normal", AdapterKind.MOSLORA, MixerInit.NORMAL),
            new Variant("moslora-zero", AdapterKind.MOSLORA, MixerInit.ZERO),
            new Variant("ts-mixing", AdapterKind.TS_MIXING, MixerInit.BUTTERFLY));

    public record Settings(int seeds, int steps, int rank, double alpha, double lr, int batch, int pretrainSteps,
            int hidden, int length, boolean progress) {}

    /** One fine-tuning run's outcome. */
    public record RunResult(Variant variant, long seed, double finalLoss, double tokenAccuracy, double exactMatch,
            long trainable, double msPerStep, List<double[]> losses) {}

    static final List<String> TARGETS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    private final Settings s;
    private final ReversalTask copy;
    private final ReversalTask reverse;
    private final LlamaConfig config;

    public MixerExperiment(Settings s) {
        this.s = s;
        this.copy = new ReversalTask(s.length(), 16, false);
        this.reverse = new ReversalTask(s.length(), 16, true);
        try {
            String json = String.format("{\"model_type\":\"llama\",\"vocab_size\":%d,\"hidden_size\":%d,"
                    + "\"intermediate_size\":%d,\"num_hidden_layers\":2,\"num_attention_heads\":4,"
                    + "\"max_position_embeddings\":64,\"tie_word_embeddings\":false}", copy.vocab(), s.hidden(), 2 * s.hidden());
            this.config = LlamaConfig.fromJson(new ObjectMapper().readTree(json), Path.of("experiment/config.json"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Pre-trains the base on copying; returns its weights (owned by {@code m}). */
    public Map<String, NDArray> pretrainBase(NDManager m) {
        Seeds.seed(1234);
        CausalLM base = new CausalLM(config);
        base.materialize(m, DataType.FLOAT32);
        Trainer.Settings ts = new Trainer.Settings(s.pretrainSteps(), 1, 1.0,
                new LrSchedule(LrSchedule.Kind.COSINE, 3e-3, s.pretrainSteps() / 20, s.pretrainSteps()), 0.0, 1234, 0, 1,
                null, false, "pre-train base (copy)", s.progress());
        Trainer.run(base, ts, (step, micro, scope) -> lossOn(base, copy, 1234, step, micro, scope.manager()), m);
        Map<String, NDArray> state = new LinkedHashMap<>();
        base.stateDict().forEach((k, v) -> state.put(k, v.duplicate()));
        return state;
    }

    public RunResult run(Variant v, long seed, Map<String, NDArray> baseWeights, NDManager m) {
        CausalLM model = new CausalLM(config);
        StateDictLoader.load(model, TensorSource.of(baseWeights, "pre-trained base"), m, DataType.FLOAT32, true);
        Seeds.seed(seed);
        AdapterConfig ac = AdapterConfig.of(v.kind(), s.rank(), s.alpha(), TARGETS).withMixerInit(v.init());
        AdapterInjector.inject(model, ac, m);
        Trainer.Settings ts = new Trainer.Settings(s.steps(), 1, 1.0,
                LrSchedule.withWarmupRatio(LrSchedule.Kind.COSINE, s.lr(), 0.03, s.steps()), 0.0, seed, 0, 1, null, false,
                v.name() + " seed " + seed, s.progress());
        Trainer.Result r = Trainer.run(model, ts, (step, micro, scope) -> lossOn(model, reverse, seed, step, micro,
                scope.manager()), m);
        double[] acc = evaluate(model, m);
        return new RunResult(v, seed, r.finalLoss(Math.max(1, s.steps() / 10)), acc[0], acc[1],
                model.trainableParameterCount(), 1000 * r.seconds() / Math.max(1, r.stepsRun()), r.losses());
    }

    private NDArray lossOn(CausalLM model, ReversalTask task, long seed, long step, int micro, NDManager m) {
        NDList b = task.batch(m, seed, step, micro, s.batch());
        return CausalLmLoss.of(model.forward(model.embed(b.get(0)), null, null), b.get(1));
    }

    /** Held-out token accuracy and exact match of the reversed part (argmax under teacher forcing = greedy). */
    double[] evaluate(CausalLM model, NDManager parent) {
        try (NDManager m = parent.newSubManager()) {
            long correctTokens = 0;
            long tokens = 0;
            long exact = 0;
            long sequences = 0;
            for (int i = 0; i < 4; i++) {
                NDList b = reverse.batch(m, 99_999, i, 0, 64);
                NDArray pred = model.forward(model.embed(b.get(0)), null, null).get(":, :-1, :").argMax(2);
                NDArray labels = b.get(1).get(":, 1:");
                NDArray learned = labels.neq(-100);
                NDArray right = pred.eq(labels).logicalAnd(learned);
                correctTokens += right.toType(DataType.INT64, false).sum().getLong();
                tokens += learned.toType(DataType.INT64, false).sum().getLong();
                NDArray wrongPerRow = learned.logicalAnd(right.logicalNot()).toType(DataType.INT64, false).sum(new int[] {1});
                exact += wrongPerRow.eq(0).toType(DataType.INT64, false).sum().getLong();
                sequences += labels.getShape().get(0);
            }
            return new double[] {correctTokens / (double) tokens, exact / (double) sequences};
        }
    }

    public List<RunResult> runAll(List<Variant> variants, NDManager m) {
        Map<String, NDArray> base = pretrainBase(m);
        List<RunResult> results = new ArrayList<>();
        for (Variant v : variants) {
            for (long seed = 1; seed <= s.seeds(); seed++) {
                results.add(run(v, seed, base, m));
            }
        }
        return results;
    }

    public static String markdown(List<RunResult> results, Settings s) {
        return MixerReport.markdown(results, s);
    }

    public static void writeReport(Path out, List<RunResult> results, Settings s) {
        MixerReport.write(out, results, s);
    }
}
