package io.moslora.adapters.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.adapters.AdapterMerge;
import io.moslora.adapters.AdapterTensors;
import io.moslora.adapters.LoraExport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code moslora adapter merge | export-lora | inspect}: work on adapter folders without building a model. */
@Command(name = "adapter", mixinStandardHelpOptions = true,
        description = "Merge, export or inspect PEFT-format LoRA / MoSLoRA / DoRA adapters.",
        subcommands = {AdapterCommand.Merge.class, AdapterCommand.ExportLora.class, AdapterCommand.Inspect.class})
public final class AdapterCommand extends io.moslora.cli.CommandGroup {

    @Command(name = "merge", mixinStandardHelpOptions = true,
            description = "Fold an adapter into a Hugging Face checkpoint folder (streamed tensor by tensor).")
    static final class Merge implements Callable<Integer> {
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--model", required = true, description = "Checkpoint folder (model.safetensors or shards + index).")
        Path model;
        @Option(names = "--adapter", required = true, description = "PEFT adapter folder.")
        Path adapter;
        @Option(names = "--out", required = true, description = "Output folder (same layout as the model).")
        Path out;
        @Option(names = "--max-shard-size", defaultValue = "5GB", description = "Largest shard (default: ${DEFAULT-VALUE}).")
        String maxShard;

        @Override
        public Integer call() {
            int n = AdapterMerge.merge(model, adapter, out, ByteSizes.parse(maxShard, "--max-shard-size"));
            spec.commandLine().getOut().printf("merged %d weights into %s%n", n, out);
            return 0;
        }
    }

    @Command(name = "export-lora", mixinStandardHelpOptions = true,
            description = "Rewrite a MoSLoRA / TS-Mixing adapter as a plain LoRA of the same rank (A' = M·A) "
                    + "that stock PEFT, diffusers and serving engines load without warnings.")
    static final class ExportLora implements Callable<Integer> {
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--adapter", required = true, description = "PEFT adapter folder.")
        Path adapter;
        @Option(names = "--out", required = true, description = "Output adapter folder.")
        Path out;

        @Override
        public Integer call() {
            LoraExport.exportPlainLora(adapter, out);
            spec.commandLine().getOut().printf("wrote plain LoRA adapter to %s%n", out);
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Kind, rank, alpha, targets, parameter count and mixer statistics of an adapter.")
    static final class Inspect implements Callable<Integer> {
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--adapter", required = true, description = "PEFT adapter folder.")
        Path adapter;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (AdapterTensors t = new AdapterTensors(adapter); NDManager m = NDManager.newBaseManager()) {
                var c = t.config();
                long params = t.file().names().stream().mapToLong(k -> t.file().info(k).numel()).sum();
                out.printf(Locale.ROOT, "kind        %s%n", c.kind());
                out.printf(Locale.ROOT, "rank        %d%n", c.r());
                out.printf(Locale.ROOT, "alpha       %s (scaling %.4g%s)%n", c.alpha(), c.scaling(), c.useRslora() ? ", rsLoRA" : "");
                out.printf(Locale.ROOT, "targets     %s%n", c.allLinear() ? "all-linear"
                        : c.targetRegex() != null ? c.targetRegex() : String.join(",", c.targetModules()));
                out.printf(Locale.ROOT, "modules     %d%n", t.updates().size());
                out.printf(Locale.ROOT, "parameters  %,d%n", params);
                if (c.kind().hasMixer()) {
                    out.printf(Locale.ROOT, "mixer init  %s%n", c.mixerInit().id());
                    printMixerStats(t, m, out);
                }
            }
            return 0;
        }

        /** How far training moved the mixers away from a diagonal (pure re-scaling) and from their start. */
        private static void printMixerStats(AdapterTensors t, NDManager m, PrintWriter out) {
            double fro = 0;
            double offShare = 0;
            int n = 0;
            for (AdapterTensors.Update u : t.updates().values()) {
                NDArray mix = t.file().toNDArray(m, u.mixer(), DataType.FLOAT32);
                double total = mix.square().sum().getFloat();
                double diag = mix.mul(m.eye((int) mix.getShape().get(0))).square().sum().getFloat();
                fro += Math.sqrt(total);
                offShare += total == 0 ? 0 : (total - diag) / total;
                n++;
            }
            out.printf(Locale.ROOT, "mixer ‖M‖_F          mean %.4f over %d mixers%n", fro / n, n);
            out.printf(Locale.ROOT, "mixer off-diagonal   %.1f%% of ‖M‖² on average (0%% = no subspace mixing)%n", 100 * offShare / n);
        }
    }
}
