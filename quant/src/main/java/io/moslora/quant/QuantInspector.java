package io.moslora.quant;

import io.moslora.cli.UserError;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.TensorInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Per-weight facts of a bitsandbytes 4-bit file, and its error against the dense original when one is given. */
public final class QuantInspector {
    private QuantInspector() {}

    /**
     * One 4-bit weight. The errors are NaN without a reference; with one they compare the dequantized weight
     * (float32) with the reference tensor of the same name, as stored there (widened to float).
     */
    public record Row(String name, String format, int blocksize, boolean doubleQuant, double bitsPerParameter,
            long[] shape, double maxAbsError, double rmsError) {}

    public static List<Row> inspect(Path file, Path reference) {
        List<Row> rows = new ArrayList<>();
        try (SafetensorsFile reader = SafetensorsFile.open(file);
                SafetensorsFile ref = reference == null ? null : SafetensorsFile.open(reference)) {
            for (Map.Entry<String, QuantState> e : Nf4Files.states(reader).entrySet()) {
                QuantState s = e.getValue();
                double max = Double.NaN;
                double rms = Double.NaN;
                if (ref != null) {
                    String name = e.getKey();
                    if (!ref.contains(name)) {
                        throw new UserError(reference + ": no tensor " + name + " to compare " + file + " with");
                    }
                    TensorInfo info = ref.info(name);
                    if (!Arrays.equals(info.shape(), s.shape()) || !info.dtype().isFloatingPoint()) {
                        throw new UserError(reference + ": tensor " + name + " is " + info.dtype().safetensorsName()
                                + Arrays.toString(info.shape()) + ", but the 4-bit weight in " + file + " is "
                                + Arrays.toString(s.shape()));
                    }
                    float[] exact = ref.readFloats(name);
                    float[] back = s.dequantize();
                    double sumSq = 0;
                    max = 0;
                    for (int i = 0; i < back.length; i++) {
                        double d = Math.abs((double) back[i] - exact[i]);
                        max = Math.max(max, d);
                        sumSq += d * d;
                    }
                    rms = Math.sqrt(sumSq / Math.max(1, back.length));
                }
                rows.add(new Row(e.getKey(), s.type().bnbName(), s.blocksize(), s.doubleQuant(), s.bitsPerParameter(),
                        s.shape(), max, rms));
            }
        }
        return rows;
    }
}
