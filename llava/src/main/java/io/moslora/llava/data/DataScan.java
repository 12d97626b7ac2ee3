package io.moslora.llava.data;

import io.moslora.cli.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * The pre-flight check before training: every record well-formed, every image inside the image folder, present
 * and fully decodable. By default any bad sample stops the run before it starts; with skip-bad they are left out
 * and counted. Nothing is dropped silently.
 */
public final class DataScan {
    /** Samples to train on, and the ones left out with their reasons. */
    public record Report(List<LlavaRecord> good, List<BadSample> bad) {
        public String summary() {
            return good.size() + " samples ok, " + bad.size() + " bad";
        }
    }

    private DataScan() {}

    /** Scans {@code dataFile}; images are looked up under {@code imageRoot} (may be null for text-only data). */
    public static Report scan(Path dataFile, Path imageRoot, boolean showProgress) {
        LlavaJsonReader.Result parsed = LlavaJsonReader.read(dataFile);
        List<LlavaRecord> good = new ArrayList<>();
        List<BadSample> bad = new ArrayList<>(parsed.malformed());
        Path root = imageRoot == null ? null : imageRoot.toAbsolutePath().normalize();
        ProgressBar bar = showProgress
                ? new ProgressBarBuilder().setTaskName("scan " + dataFile.getFileName()).setInitialMax(parsed.records().size()).build()
                : null;
        try {
            for (int i = 0; i < parsed.records().size(); i++) {
                LlavaRecord r = parsed.records().get(i);
                String problem = r.image().map(img -> imageProblem(root, img)).orElse(null);
                if (problem == null) {
                    good.add(r);
                } else {
                    bad.add(new BadSample(parsed.positions().get(i), r.id(), problem));
                }
                if (bar != null) {
                    bar.step();
                }
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        bad.sort(java.util.Comparator.comparingInt(BadSample::index));
        return new Report(good, bad);
    }

    /** Why an image cannot be used, or null when it can. */
    public static String imageProblem(Path root, String relative) {
        if (root == null) {
            return "has image '" + relative + "' but no image folder was given";
        }
        Path p = root.resolve(relative).normalize();
        if (!p.startsWith(root)) {
            return "image path '" + relative + "' escapes the image folder " + root;
        }
        if (!Files.isRegularFile(p)) {
            return "image " + p + " is missing";
        }
        try {
            StrictImageReader.read(p);
            return null;
        } catch (IOException e) {
            return "image " + p + " cannot be decoded: " + e.getMessage();
        }
    }

    /**
     * The samples to train on: all of them when the scan is clean; with bad samples, a UserError naming the
     * file and the first of them (the run stops before training) unless {@code skipBad}.
     */
    public static List<LlavaRecord> requireUsable(Report report, Path dataFile, boolean skipBad, java.io.PrintWriter log) {
        if (report.bad().isEmpty()) {
            return report.good();
        }
        if (!skipBad) {
            BadSample first = report.bad().get(0);
            throw new UserError(dataFile + ": " + report.bad().size() + " bad sample(s), first " + first
                    + "; fix them or pass --skip-bad to leave them out");
        }
        if (log != null) {
            log.println("skipping " + report.bad().size() + " bad sample(s) of " + dataFile + " (" + report.summary() + "):");
            report.bad().forEach(b -> log.println("  " + b));
            log.flush();
        }
        return report.good();
    }
}
