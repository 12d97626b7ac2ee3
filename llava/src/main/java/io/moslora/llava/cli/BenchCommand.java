package io.moslora.llava.cli;

import ai.djl.ndarray.NDManager;
import io.moslora.engine.MklVendorCheck;
import io.moslora.llava.bench.AdapterBenchmark;
import io.moslora.llava.bench.GemmBenchmark;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code moslora bench adapters}: the adapter overhead ratios, measured side by side in one run;
 * {@code moslora bench llava-train}: training throughput and peak memory of a small LLaVA per adapter kind;
 * {@code moslora bench gemm}: the LoRA block's base matmuls, MKL vs oneDNN vs PyTorch/OpenBLAS.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print measured ratios.",
        subcommands = {BenchCommand.Adapters.class, LlavaTrainBenchCommand.class, BenchCommand.Gemm.class})
public final class BenchCommand extends io.moslora.cli.CommandGroup {

    @Command(name = "adapters", mixinStandardHelpOptions = true,
            description = "Training step of a LLaMA-like block with no adapter / LoRA / MoSLoRA, merged inference vs "
                    + "base, and the LoRA step in PyTorch eager (Debian python3-torch) when installed.")
    static final class Adapters implements Callable<Integer> {
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--hidden", defaultValue = "1024") int hidden;
        @Option(names = "--heads", defaultValue = "16") int heads;
        @Option(names = "--seq", defaultValue = "256") int seq;
        @Option(names = "--batch", defaultValue = "2") int batch;
        @Option(names = "--rank", defaultValue = "16") int rank;
        @Option(names = "--rounds", defaultValue = "10") int rounds;
        @Option(names = "--warmup", defaultValue = "3") int warmup;
        @Option(names = "--pytorch-script", defaultValue = "benchmarks/pytorch_lora_step.py",
                description = "Peer script run with /usr/bin/python3 (default: ${DEFAULT-VALUE}).")
        Path script;

        @Override
        public Integer call() {
            AdapterBenchmark b = new AdapterBenchmark(new AdapterBenchmark.Settings(hidden, heads, seq, batch, rank, rounds, warmup));
            PrintWriter out = spec.commandLine().getOut();
            Map<String, Double> t;
            try (NDManager m = NDManager.newBaseManager()) {
                t = b.run(m);
            }
            Double torch = b.pytorchLoraStepMs(script);
            out.printf(Locale.ROOT, "LLaMA-like block: hidden %d, %d heads, ffn %d, seq %d, batch %d, rank %d on q,k,v,o,gate,up,down; "
                    + "median of %d rounds; torch threads %s (both sides); %s%n%n", hidden, heads, b.config().intermediateSize(), seq,
                    batch, rank, rounds, System.getProperty("ai.djl.pytorch.num_threads", "default"), MklVendorCheck.describe());
            out.println("| measurement | ms |");
            out.println("|---|---:|");
            t.forEach((k, v) -> out.printf(Locale.ROOT, "| %s | %.2f |%n", k, v));
            if (torch != null) {
                out.printf(Locale.ROOT, "| train step, LoRA, PyTorch eager | %.2f |%n", torch);
            }
            out.println();
            double lora = t.get("train step, LoRA");
            out.printf(Locale.ROOT, "MoSLoRA step / LoRA step        %.3f (target <= 1.03)%n", t.get("train step, MoSLoRA") / lora);
            out.printf(Locale.ROOT, "merged inference / base         %.3f (target <= 1.01)%n",
                    t.get("inference, MoSLoRA merged") / t.get("inference, base"));
            out.printf(Locale.ROOT, "our LoRA step / PyTorch eager   %s (target <= 1.0)%n",
                    torch == null ? "n/a (install Debian python3-torch)" : String.format(Locale.ROOT, "%.3f", lora / torch));
            return 0;
        }
    }

    @Command(name = "gemm", mixinStandardHelpOptions = true,
            description = "The frozen base's matrix products of the bench-adapters LoRA step, one at a time: our libtorch "
                    + "against the PyTorch eager peer (Debian python3-torch, OpenBLAS) at the same thread count.")
    static final class Gemm implements Callable<Integer> {
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--tokens", defaultValue = "512", description = "Rows of x: batch × seq (default: ${DEFAULT-VALUE}).")
        long tokens;
        @Option(names = "--hidden", defaultValue = "1024") long hidden;
        @Option(names = "--inter", defaultValue = "2688") long inter;
        @Option(names = "--rounds", defaultValue = "7") int rounds;
        @Option(names = "--passes", defaultValue = "2", description = "Ours, then the peer, this many times (default: ${DEFAULT-VALUE}).")
        int passes;
        @Option(names = "--pytorch-script", defaultValue = "benchmarks/pytorch_gemm.py",
                description = "Peer script run with /usr/bin/python3 (default: ${DEFAULT-VALUE}).")
        Path script;

        @Override
        public Integer call() {
            GemmBenchmark b = new GemmBenchmark(GemmBenchmark.blockGemms(tokens, hidden, inter), rounds);
            java.util.List<GemmBenchmark.Result> results;
            try (NDManager m = NDManager.newBaseManager()) {
                results = b.run(m, script, passes);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "float32 products, median of %d rounds × %d passes; torch threads %s (both sides); %s%n%n",
                    rounds, passes, System.getProperty("ai.djl.pytorch.num_threads", "default"), MklVendorCheck.describe());
            out.println("| product | shape | per step | ours, MKL ms | GFLOP/s | ours, oneDNN ms | GFLOP/s | PyTorch 1.13, OpenBLAS ms"
                    + " | GFLOP/s | MKL / PyTorch | oneDNN / PyTorch |");
            out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            double[] step = new double[3];
            for (GemmBenchmark.Result r : results) {
                var g = r.gemm();
                double peer = r.peerMs() == null ? Double.NaN : r.peerMs();
                step[0] += g.perStep() * r.mklMs();
                step[1] += g.perStep() * r.oneDnnMs();
                step[2] += g.perStep() * peer;
                out.printf(Locale.ROOT, "| %s | %s | %d | %.2f | %.1f | %.2f | %.1f | %s | %s | %s | %s |%n", g.role(), g.label(), g.perStep(),
                        r.mklMs(), GemmBenchmark.gflops(g, r.mklMs()), r.oneDnnMs(), GemmBenchmark.gflops(g, r.oneDnnMs()),
                        num(peer, "%.2f"), num(GemmBenchmark.gflops(g, peer), "%.1f"), num(r.mklMs() / peer, "%.2f"),
                        num(r.oneDnnMs() / peer, "%.2f"));
            }
            out.printf(Locale.ROOT, "%nbase products of one LoRA step (sum of per step × ms): MKL %.1f ms, oneDNN %.1f ms, PyTorch %s ms%n",
                    step[0], step[1], num(step[2], "%.1f"));
            return 0;
        }

        private static String num(double v, String format) {
            return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, format, v);
        }
    }
}
