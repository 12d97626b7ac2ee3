package io.moslora.llava.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.LoraLinear;
import io.moslora.bench.InterleavedRounds;
import io.moslora.bench.PytorchPeer;
import io.moslora.config.LlamaConfig;
import io.moslora.engine.Seeds;
import io.moslora.engine.StepScope;
import io.moslora.llava.model.CausalLM;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Side-by-side timings of one LLaMA-like block: a training step (forward, backward, AdamW) with no adapter (full
 * fine-tuning), LoRA and MoSLoRA, and inference of the plain base against the adapter merged into it. Variants
 * run interleaved, round by round in shuffled order, so machine noise hits them alike; medians are reported.
 */
public final class AdapterBenchmark {
    public record Settings(int hidden, int heads, int seq, int batch, int rank, int rounds, int warmup) {}

    private final Settings s;
    private final LlamaConfig config;

    public AdapterBenchmark(Settings s) {
        this.s = s;
        try {
            String json = String.format("{\"model_type\":\"llama\",\"vocab_size\":32,\"hidden_size\":%d,"
                    + "\"intermediate_size\":%d,\"num_hidden_layers\":1,\"num_attention_heads\":%d,"
                    + "\"max_position_embeddings\":%d}", s.hidden(), s.hidden() * 8 / 3 / 64 * 64, s.heads(), s.seq());
            this.config = LlamaConfig.fromJson(new ObjectMapper().readTree(json), Path.of("bench/config.json"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public LlamaConfig config() {
        return config;
    }

    /** Median milliseconds per variant name. */
    public Map<String, Double> run(NDManager m) {
        Map<String, Runnable> cases = new LinkedHashMap<>();
        CausalLM full = model(m, null);
        CausalLM lora = model(m, AdapterKind.LORA);
        CausalLM mos = model(m, AdapterKind.MOSLORA);
        CausalLM base = model(m, null);
        CausalLM merged = model(m, AdapterKind.MOSLORA);
        LoraLinear.mergeEverywhere(merged);
        // inference trains nothing: both models frozen alike
        base.setTrainable(false);
        merged.setTrainable(false);
        NDArray ids = m.randomInteger(0, 32, new Shape(s.batch(), s.seq()), DataType.INT64);
        cases.put("train step, no adapter (full fine-tune)", trainStep(full, ids, m));
        cases.put("train step, LoRA", trainStep(lora, ids, m));
        cases.put("train step, MoSLoRA", trainStep(mos, ids, m));
        cases.put("inference, base", inference(base, ids, m));
        cases.put("inference, MoSLoRA merged", inference(merged, ids, m));
        Map<String, Double> medians = new LinkedHashMap<>();
        InterleavedRounds.medians(InterleavedRounds.time(cases, s.warmup(), s.rounds(), 1, 42))
                .forEach((k, t) -> medians.put(k, t.wallMs()));
        return medians;
    }

    private CausalLM model(NDManager m, AdapterKind kind) {
        Seeds.seed(1);
        CausalLM lm = new CausalLM(config);
        lm.materialize(m, DataType.FLOAT32);
        if (kind != null) {
            AdapterInjector.inject(lm, AdapterConfig.of(kind, s.rank(), 2.0 * s.rank(),
                    List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")), m);
        }
        return lm;
    }

    private static Runnable trainStep(CausalLM lm, NDArray ids, NDManager root) {
        return AdamWStep.of(lm.trainableParameters(), root, m -> lm.hiddenStates(stepInput(lm, ids, m), null, null)
                .square().mean());
    }

    private static Runnable inference(CausalLM lm, NDArray ids, NDManager root) {
        return () -> {
            try (StepScope scope = new StepScope(root)) {
                lm.hiddenStates(stepInput(lm, ids, scope.manager()), null, null).getFloat(0, 0, 0);
            }
        };
    }

    /**
     * The embedded ids, owned by the step. {@code ids} live in the root manager and a result belongs to its first
     * operand's manager, so without this every activation of the step would land in the root manager and live to
     * the end of the run (measured: ~45,000 page faults and ~300 ms more per LoRA step, the heap growing each step).
     */
    private static NDArray stepInput(CausalLM lm, NDArray ids, NDManager step) {
        NDArray embedded = lm.embed(ids);
        embedded.attach(step);
        return embedded;
    }

    /** Runs the PyTorch eager peer script with Debian's python3, if it is installed; null otherwise. */
    public Double pytorchLoraStepMs(Path script) {
        PytorchPeer.Result out = PytorchPeer.run(script, List.of("--hidden", "" + s.hidden(), "--heads", "" + s.heads(),
                "--inter", "" + config.intermediateSize(), "--seq", "" + s.seq(), "--batch", "" + s.batch(),
                "--rank", "" + s.rank(), "--rounds", "" + s.rounds(), "--warmup", "" + s.warmup(),
                "--threads", "" + PytorchPeer.jvmTorchThreads()));
        return out.ok() && out.values().containsKey("lora_step_ms") ? out.number("lora_step_ms") : null;
    }
}
