package io.moslora.quant;

import io.moslora.cli.UserError;
import io.moslora.io.DType;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./moslora quant dequant}: a bitsandbytes 4-bit safetensors file back to dense weights. */
@Command(
        name = "dequant",
        mixinStandardHelpOptions = true,
        description = "Dequantize every 4-bit weight of a bitsandbytes-layout file to f32 or f16; other tensors are copied.")
public final class QuantDequantCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--in", required = true, description = "4-bit safetensors file (bitsandbytes layout).")
    Path in;

    @Option(names = "--out", required = true, description = "Dense safetensors file to write (atomically).")
    Path out;

    @Option(names = "--dtype", defaultValue = "f32", description = "f32 or f16 (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Override
    public Integer call() {
        DType d = switch (dtype.toLowerCase(java.util.Locale.ROOT)) {
            case "f32", "float32" -> DType.F32;
            case "f16", "float16" -> DType.F16;
            default -> throw new UserError("--dtype " + dtype + ": use f32 or f16");
        };
        List<String> done;
        try (FileProgress progress = FileProgress.of("dequantize", in)) {
            done = Nf4Files.dequantize(in, out, d, progress);
        }
        spec.commandLine().getOut().printf("dequantized %d weights to %s -> %s%n", done.size(),
                d.safetensorsName(), out);
        return 0;
    }
}
