package io.moslora.quant;

import io.moslora.cli.UserError;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./moslora quant nf4}: a dense safetensors file to the bitsandbytes 4-bit layout. */
@Command(
        name = "nf4",
        mixinStandardHelpOptions = true,
        description = "Quantize every matching 2-D float tensor named *.weight to NF4 (bitsandbytes layout); "
                + "other tensors are copied unchanged.")
public final class QuantNf4Command implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--in", required = true, description = "Dense safetensors file.")
    Path in;

    @Option(names = "--out", required = true, description = "4-bit safetensors file to write (atomically).")
    Path out;

    @Option(names = "--blocksize", defaultValue = "64", description = "Values per absmax block, 32..4096 (default: ${DEFAULT-VALUE}).")
    int blocksize;

    @Option(names = "--no-double-quant", description = "Keep one float32 absmax per block instead of 8-bit codes.")
    boolean noDoubleQuant;

    @Option(names = "--fp4", description = "Use bitsandbytes' FP4 code instead of NF4.")
    boolean fp4;

    @Option(names = "--include", description = "Only tensors whose name contains a match of this regex.")
    String include;

    @Option(names = "--exclude", description = "Skip tensors whose name contains a match of this regex.")
    String exclude;

    @Override
    public Integer call() {
        if (!Nf4Codec.isValidBlocksize(blocksize)) {
            throw new UserError("--blocksize " + blocksize + ": use a power of two from 32 to 4096 (bitsandbytes' sizes)");
        }
        QuantOptions options;
        try {
            options = new QuantOptions(fp4 ? FourBitType.FP4 : FourBitType.NF4, blocksize, !noDoubleQuant, null, null)
                    .withPatterns(include, exclude);
        } catch (PatternSyntaxException e) {
            throw new UserError("--include/--exclude: not a valid regex: " + e.getDescription());
        }
        List<String> done;
        try (FileProgress progress = FileProgress.of("quantize", in)) {
            done = Nf4Files.quantize(in, out, options, progress);
        }
        if (done.isEmpty()) {
            spec.commandLine().getErr().println("warning: no tensor of " + in + " matched; " + out + " is a copy");
        }
        spec.commandLine().getOut().printf("quantized %d weights to %s (blocksize %d%s) -> %s%n", done.size(),
                options.type().bnbName(), blocksize, options.doubleQuant() ? ", double quant" : "", out);
        return 0;
    }
}
