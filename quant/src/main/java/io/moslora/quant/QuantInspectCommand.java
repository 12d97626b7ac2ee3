package io.moslora.quant;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./moslora quant inspect}: what each 4-bit weight of a file is, and how far it is from its original. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = "Per 4-bit weight: format, block size, double quant, bits per parameter; "
                + "with --reference, max abs and RMS error against the dense original.")
public final class QuantInspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "4-bit safetensors file (bitsandbytes layout).")
    Path file;

    @Option(names = "--reference", description = "The dense (16/32-bit) file the weights were quantized from.")
    Path reference;

    @Override
    public Integer call() {
        List<QuantInspector.Row> rows = QuantInspector.inspect(file, reference);
        PrintWriter out = spec.commandLine().getOut();
        out.println("| tensor | shape | format | blocksize | double quant | bits/param"
                + (reference != null ? " | max abs error | RMS error |" : " |"));
        out.println("|---|---|---|---|---|---|" + (reference != null ? "---|---|" : ""));
        for (QuantInspector.Row r : rows) {
            out.printf(Locale.ROOT, "| %s | %s | %s | %d | %s | %.4f |", r.name(), Arrays.toString(r.shape()),
                    r.format(), r.blocksize(), r.doubleQuant() ? "yes" : "no", r.bitsPerParameter());
            if (reference != null) {
                out.printf(Locale.ROOT, " %.6g | %.6g |", r.maxAbsError(), r.rmsError());
            }
            out.println();
        }
        out.printf("%d 4-bit weights in %s%n", rows.size(), file);
        return 0;
    }
}
