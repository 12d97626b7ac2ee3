package io.moslora.quant;

import picocli.CommandLine.Command;

/** {@code ./moslora quant ...}: 4-bit quantization in the bitsandbytes format. */
@Command(
        name = "quant",
        mixinStandardHelpOptions = true,
        description = "4-bit NF4/FP4 quantization with double quantization, bitsandbytes-compatible.",
        subcommands = {QuantNf4Command.class, QuantDequantCommand.class, QuantInspectCommand.class,
            QuantBenchCommand.class, QuantTrainBenchCommand.class})
public final class QuantCommand extends io.moslora.cli.CommandGroup {}
