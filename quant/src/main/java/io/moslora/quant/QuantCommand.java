package io.moslora.quant;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ./moslora quant ...}: 4-bit quantization in the bitsandbytes format. */
@Command(
        name = "quant",
        mixinStandardHelpOptions = true,
        description = "4-bit NF4/FP4 quantization with double quantization, bitsandbytes-compatible.",
        subcommands = {QuantNf4Command.class, QuantDequantCommand.class, QuantInspectCommand.class,
            QuantBenchCommand.class, QuantTrainBenchCommand.class})
public final class QuantCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
