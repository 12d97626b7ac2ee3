package io.moslora.sdxl.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.moslora.adapters.AdapterKind;
import io.moslora.bench.InterleavedRounds;
import io.moslora.bench.PytorchPeer;
import io.moslora.cli.UserError;
import io.moslora.config.HfConfigJson;
import io.moslora.engine.MklVendorCheck;
import io.moslora.sdxl.bench.BenchUNet;
import io.moslora.sdxl.bench.UNetStepBenchmark;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code moslora sdxl bench}: a DreamBooth step (LoRA vs MoSLoRA) and a denoising step (base vs adapter unmerged
 * vs merged) of a small SDXL-family UNet, side by side in one run, and the same LoRA step and base denoising step
 * in PyTorch eager (Debian's python3-torch) with the same thread count.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time one DreamBooth training step (LoRA vs MoSLoRA) and one denoising step (base, MoSLoRA "
                + "unmerged, merged) of a small SDXL-family UNet, and the same steps in PyTorch eager when Debian's "
                + "python3-torch is installed; prints milliseconds (medians) and ratios.")
public final class BenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--config", defaultValue = "small",
            description = "UNet: small (2.7 M parameters, 32x32 latents) or tiny (the test UNet) (default: ${DEFAULT-VALUE}).")
    BenchUNet unet;

    @Option(names = "--rounds", defaultValue = "10", description = "Timed rounds; medians are reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed rounds first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--threads", description = "Torch intra-op threads, for our engine and the peer alike "
            + "(default: the engine's setting, MOSLORA_THREADS in the launcher).")
    Integer threads;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Option(names = "--pytorch-script", defaultValue = "benchmarks/pytorch_sdxl_unet_step.py",
            description = "Peer script run with /usr/bin/python3 (default: ${DEFAULT-VALUE}).")
    Path script;

    @Override
    public Integer call() {
        if (rounds < 1) throw new UserError("--rounds " + rounds + ": give at least 1");
        if (warmup < 0) throw new UserError("--warmup " + warmup + ": give 0 or more");
        if (threads != null && threads < 1) throw new UserError("--threads " + threads + ": give at least 1");
        Engine.getInstance(); // loads libtorch; the thread calls below are native
        if (threads != null) {
            JniUtils.setNumThreads(threads);
        }
        int torchThreads = JniUtils.getNumThreads();
        UNetStepBenchmark bench = new UNetStepBenchmark(new UNetStepBenchmark.Settings(unet, rounds, warmup, 0));
        Map<String, InterleavedRounds.Timing> t;
        PytorchPeer.Result peer;
        // the peer's rounds count as one step: it reports only when it has finished
        try (NDManager m = NDManager.newBaseManager();
                ProgressBar bar = noProgress ? null : new ProgressBar("sdxl bench", bench.caseRuns() + 1)) {
            t = bench.run(m, () -> {
                if (bar != null) bar.step();
            });
            peer = runPeer(bench, torchThreads);
            if (bar != null) bar.step();
        }
        print(bench, t, peer, torchThreads);
        return 0;
    }

    private PytorchPeer.Result runPeer(UNetStepBenchmark bench, int torchThreads) {
        try {
            Path dir = Files.createTempDirectory("sdxl-bench");
            try {
                Path json = dir.resolve("config.json");
                HfConfigJson.write(bench.config(), json); // the peer builds its UNet from exactly our config
                return PytorchPeer.run(script, bench.peerArguments(json, torchThreads));
            } finally {
                Files.deleteIfExists(dir.resolve("config.json"));
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void print(UNetStepBenchmark bench, Map<String, InterleavedRounds.Timing> t, PytorchPeer.Result peer, int torchThreads) {
        PrintWriter out = spec.commandLine().getOut();
        long[] lora = bench.parameterCounts(AdapterKind.LORA);
        long[] mos = bench.parameterCounts(AdapterKind.MOSLORA);
        var c = bench.config();
        out.printf(Locale.ROOT, "SDXL-family UNet '%s': %,d parameters, blocks %s, latents %dx%d, %d text tokens; "
                        + "rank %d on to_q,to_k,to_v,to_out.0 (LoRA %,d / MoSLoRA %,d trainable); train batch 1, "
                        + "denoise batch 2 (guidance); median of %d rounds after %d warm-up; torch threads %d (both sides); %s%n%n",
                unet.name().toLowerCase(Locale.ROOT), lora[0], c.blockOutChannels(), bench.latentSize(), bench.latentSize(),
                UNetStepBenchmark.TEXT_TOKENS, UNetStepBenchmark.adapter(AdapterKind.LORA).r(), lora[1], mos[1], rounds,
                warmup, torchThreads, MklVendorCheck.describe());
        out.println("| case | ms | thread CPU ms |");
        out.println("|---|---:|---:|");
        t.forEach((k, v) -> row(out, k, v.wallMs(), v.cpuMs()));
        InterleavedRounds.Timing torchStep = null;
        InterleavedRounds.Timing torchDenoise = null;
        if (peer.ok()) {
            torchStep = new InterleavedRounds.Timing(peer.number("lora_step_ms"), peer.number("lora_step_cpu_ms"));
            torchDenoise = new InterleavedRounds.Timing(peer.number("base_denoise_ms"), peer.number("base_denoise_cpu_ms"));
            row(out, UNetStepBenchmark.TRAIN_LORA + ", PyTorch eager", torchStep.wallMs(), torchStep.cpuMs());
            row(out, UNetStepBenchmark.DENOISE_BASE + ", PyTorch eager", torchDenoise.wallMs(), torchDenoise.cpuMs());
        }
        out.println();
        var step = t.get(UNetStepBenchmark.TRAIN_LORA);
        var base = t.get(UNetStepBenchmark.DENOISE_BASE);
        out.println("| ratio | wall | thread CPU |");
        out.println("|---|---:|---:|");
        ratio(out, "MoSLoRA step / LoRA step", t.get(UNetStepBenchmark.TRAIN_MOSLORA), step);
        ratio(out, "merged denoise / base", t.get(UNetStepBenchmark.DENOISE_MERGED), base);
        ratio(out, "unmerged denoise / base", t.get(UNetStepBenchmark.DENOISE_UNMERGED), base);
        if (peer.ok()) {
            ratio(out, "our LoRA step / PyTorch eager", step, torchStep);
            ratio(out, "our base denoise / PyTorch eager", base, torchDenoise);
            out.printf(Locale.ROOT, "%nPyTorch peer: torch %s, %s threads%n", peer.values().get("torch_version"),
                    peer.values().get("torch_threads"));
        } else {
            out.printf(Locale.ROOT, "%nPyTorch peer skipped: %s%n", peer.problem());
        }
        if (torchThreads > 1) {
            out.println("(thread CPU counts the calling thread only: with more than one torch thread it misses the others' work)");
        }
    }

    private static void row(PrintWriter out, String name, double wallMs, double cpuMs) {
        out.printf(Locale.ROOT, "| %s | %.2f | %.2f |%n", name, wallMs, cpuMs);
    }

    private static void ratio(PrintWriter out, String name, InterleavedRounds.Timing a, InterleavedRounds.Timing b) {
        out.printf(Locale.ROOT, "| %s | %.3f | %.3f |%n", name, a.wallMs() / b.wallMs(), a.cpuMs() / b.cpuMs());
    }
}
