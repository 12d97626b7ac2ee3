package io.moslora.llava.cli;

import ai.djl.ndarray.NDManager;
import io.moslora.llava.bench.AdapterBenchmark;
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
 * {@code moslora bench llava-train}: training throughput and peak memory of a small LLaVA per adapter kind.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print measured ratios.",
        subcommands = {BenchCommand.Adapters.class, LlavaTrainBenchCommand.class})
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
                    + "median of %d rounds; torch threads %s (both sides)%n%n", hidden, heads, b.config().intermediateSize(), seq, batch,
                    rank, rounds, System.getProperty("ai.djl.pytorch.num_threads", "default"));
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
}
