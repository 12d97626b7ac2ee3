package io.moslora.llava.experiment;

import io.moslora.io.AtomicFiles;
import io.moslora.train.LossCurve;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The experiment's table (Markdown and CSV) and mean loss curves per variant (PNG). */
final class MixerReport {
    private MixerReport() {}

    static String markdown(List<MixerExperiment.RunResult> results, MixerExperiment.Settings s) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Reverse-%d task, frozen 2-layer decoder (hidden %d) pre-trained to copy; rank %d, "
                + "alpha %.0f, %d steps, batch %d, lr %.0e; %d seeds (mean ± std)%n%n", s.length(), s.hidden(), s.rank(),
                s.alpha(), s.steps(), s.batch(), s.lr(), s.seeds()));
        sb.append("| variant | trainable params | final loss | token acc % | exact match % | ms/step |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<MixerExperiment.RunResult>> e : byVariant(results).entrySet()) {
            List<MixerExperiment.RunResult> rs = e.getValue();
            sb.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %.1f |%n", e.getKey(), rs.get(0).trainable(),
                    meanStd(rs.stream().mapToDouble(MixerExperiment.RunResult::finalLoss).toArray(), 4, 1),
                    meanStd(rs.stream().mapToDouble(MixerExperiment.RunResult::tokenAccuracy).toArray(), 1, 100),
                    meanStd(rs.stream().mapToDouble(MixerExperiment.RunResult::exactMatch).toArray(), 1, 100),
                    rs.stream().mapToDouble(MixerExperiment.RunResult::msPerStep).average().orElse(0)));
        }
        return sb.toString();
    }

    static void write(Path out, List<MixerExperiment.RunResult> results, MixerExperiment.Settings s) {
        AtomicFiles.writeString(out.resolve("results.md"), markdown(results, s));
        StringBuilder csv = new StringBuilder("variant,seed,trainable_params,final_loss,token_accuracy,exact_match,ms_per_step\n");
        for (MixerExperiment.RunResult r : results) {
            csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.6f,%.6f,%.6f,%.3f%n", r.variant().name(), r.seed(),
                    r.trainable(), r.finalLoss(), r.tokenAccuracy(), r.exactMatch(), r.msPerStep()));
        }
        AtomicFiles.writeString(out.resolve("results.csv"), csv.toString());
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        byVariant(results).forEach((name, rs) -> {
            List<double[]> mean = new ArrayList<>();
            for (int i = 0; i < rs.get(0).losses().size(); i++) {
                final int step = i;
                mean.add(new double[] {step + 1, rs.stream().mapToDouble(r -> r.losses().get(step)[1]).average().orElse(0)});
            }
            curves.put(name, mean);
        });
        LossCurve.writePng(out.resolve("loss_curves.png"), "fine-tuning loss (mean over seeds)", curves);
    }

    private static Map<String, List<MixerExperiment.RunResult>> byVariant(List<MixerExperiment.RunResult> results) {
        Map<String, List<MixerExperiment.RunResult>> m = new LinkedHashMap<>();
        results.forEach(r -> m.computeIfAbsent(r.variant().name(), k -> new ArrayList<>()).add(r));
        return m;
    }

    private static String meanStd(double[] xs, int decimals, double scale) {
        double mean = 0;
        for (double x : xs) {
            mean += x * scale / xs.length;
        }
        double var = 0;
        for (double x : xs) {
            var += Math.pow(x * scale - mean, 2) / Math.max(1, xs.length - 1);
        }
        String f = "%." + decimals + "f";
        return String.format(Locale.ROOT, f + " ± " + f, mean, Math.sqrt(var));
    }
}
