package io.moslora.llava.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.moslora.bench.PytorchPeer;
import io.moslora.cli.UserError;
import io.moslora.config.LlavaConfig;
import io.moslora.engine.MklVendorCheck;
import io.moslora.io.AtomicFiles;
import io.moslora.llava.bench.LlavaTrainBenchmark;
import io.moslora.llava.bench.LlavaTrainBenchmark.Preset;
import io.moslora.llava.bench.LlavaTrainBenchmark.Row;
import io.moslora.llava.bench.LlavaTrainBenchmark.Settings;
import io.moslora.llava.bench.LlavaTrainBenchmark.Variant;
import io.moslora.llava.bench.PeakMemoryProbe;
import io.moslora.train.TrainingProgress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code moslora bench llava-train}: see {@link LlavaTrainBenchmark}; prints a Markdown table and the ratio to PyTorch. */
@Command(name = "llava-train", mixinStandardHelpOptions = true,
        description = "Training tokens/s, step time and peak memory of a small LLaVA with LoRA, MoSLoRA and QMoSLoRA "
                + "(interleaved rounds), and the LoRA step in PyTorch eager (Debian python3-torch) when installed.")
final class LlavaTrainBenchCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--preset", defaultValue = "small",
            description = "Model config: small (a few million parameters) or tiny (default: ${DEFAULT-VALUE}).")
    String preset;
    @Option(names = "--batch", defaultValue = "4", description = "Samples per step (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--text-tokens", defaultValue = "64",
            description = "Text ids per sample incl. BOS and <image>; the second half is the answer (default: ${DEFAULT-VALUE}).")
    int textTokens;
    @Option(names = "--rank", defaultValue = "16", description = "Adapter rank, alpha = 2r (default: ${DEFAULT-VALUE}).") int rank;
    @Option(names = "--rounds", defaultValue = "5", description = "Timed rounds (default: ${DEFAULT-VALUE}).") int rounds;
    @Option(names = "--steps", defaultValue = "2", description = "Steps per variant per round (default: ${DEFAULT-VALUE}).") int steps;
    @Option(names = "--warmup", defaultValue = "1", description = "Untimed rounds first (default: ${DEFAULT-VALUE}).") int warmup;
    @Option(names = "--threads", description = "Torch threads on both sides (default: this JVM's, i.e. MOSLORA_THREADS or 1).")
    Integer threads;
    @Option(names = "--pytorch-script", defaultValue = "benchmarks/pytorch_llava_step.py",
            description = "Peer script run with /usr/bin/python3 (default: ${DEFAULT-VALUE}).")
    Path script;
    @Option(names = "--no-memory", description = "Skip the peak-memory probes (one fresh JVM per variant and one "
            + "engine-only); the peak columns then read n/a for our variants.")
    boolean noMemory;

    @Override
    public Integer call() {
        Settings s = settings();
        Engine.getInstance(); // the engine applies its thread property first; --threads then overrides it
        if (threads != null) {
            JniUtils.setNumThreads(threads);
        }
        int torchThreads = JniUtils.getNumThreads();
        LlavaTrainBenchmark bench = new LlavaTrainBenchmark(s);
        PrintWriter out = spec.commandLine().getOut();
        List<Row> rows;
        double baseline = -1;
        Map<Variant, Double> peaks = new EnumMap<>(Variant.class);
        Arrays.stream(Variant.values()).forEach(v -> peaks.put(v, -1.0));
        PytorchPeer.Result peer;
        // steps, then one tick per memory-probe JVM (engine-only + each variant) and one for the PyTorch peer
        long ticks = bench.stepsToRun() + (noMemory ? 0 : Variant.values().length + 1) + 1;
        try (TrainingProgress progress = new TrainingProgress("bench llava-train", ticks, 0)) {
            try (NDManager root = NDManager.newBaseManager()) {
                rows = bench.run(root, () -> progress.step("timing"));
            }
            if (!noMemory) {
                baseline = PeakMemoryProbe.measure(s, null, torchThreads);
                progress.step("peak memory, engine only");
                for (Variant v : Variant.values()) {
                    peaks.put(v, PeakMemoryProbe.measure(s, v, torchThreads));
                    progress.step("peak memory, " + v.label);
                }
            }
            peer = pytorch(s, torchThreads);
            progress.step("pytorch peer");
        }

        LlavaConfig c = bench.config();
        var t = c.textConfig();
        var v = c.visionConfig();
        String featureLayers = c.visionFeatureLayers().stream().map(String::valueOf).collect(Collectors.joining(","));
        out.printf(Locale.ROOT, "LLaVA preset %s: CLIP ViT hidden %d × %d layers (features of layer %s) on %d×%d images "
                + "(%d patches of %d), mlp2x_gelu projector, LLaMA hidden %d × %d layers (%d heads, %d KV), ffn %d, "
                + "vocab %d; %,d parameters with the LoRA adapter.%n", preset, v.hiddenSize(), v.numHiddenLayers(), featureLayers,
                v.imageSize(), v.imageSize(), v.numPatches(), v.patchSize(), t.hiddenSize(), t.numHiddenLayers(),
                t.numAttentionHeads(), t.effectiveKvHeads(), t.intermediateSize(), t.vocabSize(), rows.get(0).totalParameters());
        out.printf(Locale.ROOT, "Batch %d × (%d text + %d image) = %d input positions per step, %d supervised (answer) "
                + "tokens. Adapters rank %d, alpha %.0f on the LLM's %s; projector trainable; vision tower frozen; AdamW, "
                + "no clipping. Median of %d rounds × %d steps after %d warm-up round(s), variants interleaved in a "
                + "shuffled order per round; torch threads %d (both sides); %s.%n%n", s.batch(), s.textTokens() - 1,
                c.imageFeatureTokens(), bench.inputTokensPerStep(), bench.supervisedTokensPerStep(), s.rank(), s.alpha(),
                String.join(",", LlavaTrainBenchmark.TARGETS), rounds, steps, warmup, torchThreads, MklVendorCheck.describe());
        out.println("| variant | trainable params | step ms (median) | input tokens/s | supervised tokens/s | peak RSS MiB "
                + "| above engine-only MiB |");
        out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            double peak = peaks.get(r.variant());
            out.printf(Locale.ROOT, "| %s | %,d | %.1f | %.0f | %.0f | %s | %s |%n", r.variant().label,
                    r.trainableParameters(), r.stepMsMedian(), r.inputTokensPerSecond(), r.supervisedTokensPerSecond(),
                    mib(peak), peak > 0 && baseline > 0 ? mib(peak - baseline) : "n/a");
        }
        Map<String, String> torch = peer.values();
        Double torchMs = peer.ok() && torch.containsKey("lora_step_ms") ? peer.number("lora_step_ms") : null;
        if (torchMs != null) {
            double peak = Double.parseDouble(torch.get("peak_rss_mib"));
            double base = Double.parseDouble(torch.get("baseline_rss_mib"));
            out.printf(Locale.ROOT, "| LoRA, PyTorch %s eager | %,d | %.1f | %.0f | %.0f | %s | %s |%n", torch.get("torch"),
                    Long.parseLong(torch.get("params_trainable")), torchMs, bench.inputTokensPerStep() / (torchMs / 1000),
                    bench.supervisedTokensPerStep() / (torchMs / 1000), mib(peak), mib(peak - base));
        }
        out.println();
        out.printf(Locale.ROOT, "input tokens/s counts every position the LLM sees (text and image features); supervised "
                + "tokens/s only the answer tokens that carry a loss.%n");
        if (noMemory) {
            out.printf(Locale.ROOT, "peak RSS: not measured for our variants (--no-memory). PyTorch: VmHWM of the peer "
                    + "process (its timing run, LoRA only), above its RSS after `import torch`.%n");
        } else {
            out.printf(Locale.ROOT, "peak RSS: the kernel's peak resident memory (VmHWM) of a fresh JVM that builds only "
                    + "that variant and runs %d steps (heap, JIT and libtorch's native tensors); engine-only JVM: %s MiB. "
                    + "PyTorch: VmHWM of the peer process (its timing run, LoRA only), above its RSS after `import torch`.%n",
                    Math.max(2, steps), mib(baseline));
        }
        double lora = rows.get(0).inputTokensPerSecond();
        out.printf(Locale.ROOT, "MoSLoRA / LoRA tokens/s            %.3f%n", rows.get(1).inputTokensPerSecond() / lora);
        out.printf(Locale.ROOT, "QMoSLoRA / LoRA tokens/s           %.3f%n", rows.get(2).inputTokensPerSecond() / lora);
        out.printf(Locale.ROOT, "our LoRA / PyTorch eager tokens/s  %s%n", torchMs == null
                ? "n/a (" + peer.problem() + "; the peer needs Debian python3-torch and libopenblas0-pthread)"
                : String.format(Locale.ROOT, "%.3f", lora / (bench.inputTokensPerStep() / (torchMs / 1000))));
        out.flush();
        return 0;
    }

    private Settings settings() {
        Preset p = switch (preset) {
            case "small" -> Preset.SMALL;
            case "tiny" -> Preset.TINY;
            default -> throw new UserError("bench llava-train: --preset '" + preset + "' is unknown; use small or tiny");
        };
        if (batch < 1 || textTokens < 4 || rank < 1 || rounds < 1 || steps < 1 || warmup < 0 || (threads != null && threads < 1)) {
            throw new UserError("bench llava-train: --batch, --rank, --rounds, --steps and --threads must be at least 1, "
                    + "--text-tokens at least 4, --warmup at least 0");
        }
        return new Settings(p, batch, textTokens, rank, warmup, rounds, steps);
    }

    /** The peer's printed values, or why it could not run. */
    private PytorchPeer.Result pytorch(Settings s, int torchThreads) {
        Path config = null;
        try {
            config = Files.createTempFile("moslora-bench-llava", ".json");
            AtomicFiles.writeBytes(config, s.preset().configJson());
            return PytorchPeer.run(script, List.of("--config", config.toString(), "--batch",
                    "" + s.batch(), "--text-tokens", "" + s.textTokens(), "--rank", "" + s.rank(), "--warmup",
                    "" + s.warmup(), "--rounds", "" + s.rounds(), "--steps", "" + s.steps(), "--threads", "" + torchThreads));
        } catch (IOException e) {
            return new PytorchPeer.Result(Map.of(), "cannot write the peer's config: " + e.getMessage());
        } finally {
            if (config != null) {
                config.toFile().delete();
            }
        }
    }

    private static String mib(double v) {
        return v < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", v);
    }
}
