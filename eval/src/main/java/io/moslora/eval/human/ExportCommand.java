package io.moslora.eval.human;

import io.moslora.cli.UserError;
import io.moslora.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code human-eval export}: builds a blind pairwise study (rater page + key) from the images of two systems. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a blind rater page and its key from the images of systems A and B.",
                "Pairs the images of A and B by subject and prompt, shuffles the pairs and the sides with the seed,"
                        + " and writes a static page for raters (OUT/page/, works from file:// with no network) and the"
                        + " un-blinding key (OUT/key.json: keep it away from raters)."})
public final class ExportCommand implements Runnable {
    @Spec CommandSpec spec;

    @Option(names = "--a", paramLabel = "DIR", description = "System A's images: DIR[/output_images]/{subject}/{prompt}/*.jpg|png")
    Path systemA;

    @Option(names = "--b", paramLabel = "DIR", description = "System B's images, same layout")
    Path systemB;

    @Option(names = "--a-name", paramLabel = "NAME", description = "Only A images named NAME.jpg|png (e.g. lora)")
    String nameA;

    @Option(names = "--b-name", paramLabel = "NAME", description = "Only B images named NAME.jpg|png (e.g. lora-mixer)")
    String nameB;

    @Option(names = "--manifest", paramLabel = "CSV", description = "Pairs listed as subject,prompt,a,b instead of --a/--b")
    Path manifest;

    @Option(names = "--reference", paramLabel = "DIR", description = "Reference photos: DIR/{subject}/*.jpg|png (or DIR named as the subject)")
    Path reference;

    @Option(names = "--criteria", paramLabel = "LIST", defaultValue = "subject-similarity,prompt-consistency",
            description = "Comma-separated questions per pair (default: ${DEFAULT-VALUE})")
    String criteria;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output folder (gets page/ and key.json)")
    Path out;

    @Option(names = "--seed", paramLabel = "N", description = "Shuffle seed (default: random, recorded in the key)")
    Long seed;

    @Override
    public void run() {
        PrintWriter stdout = spec.commandLine().getOut();
        List<Criterion> criterionList = Criterion.parseList(criteria);
        List<ComparisonPair> pairs = pairs();
        Map<String, List<Path>> references = new LinkedHashMap<>();
        if (reference != null) {
            pairs.stream().map(ComparisonPair::subject).distinct().sorted()
                    .forEach(s -> references.put(s, ReferenceImages.forSubject(reference, s)));
        }
        Path page = out.resolve("page");
        Path keyFile = out.resolve("key.json");
        if (Files.exists(keyFile) || Files.exists(page)) {
            throw new UserError("--out " + out + ": already holds a study (page/ or key.json); its votes would no"
                    + " longer match a new key, so choose another --out folder");
        }
        long shuffleSeed = seed != null ? seed : new SecureRandom().nextLong();
        String study = HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
        StudyKey key = new StudyKey(study, shuffleSeed, describe(systemA, nameA, "A"), describe(systemB, nameB, "B"),
                criterionList, Blinding.blind(pairs, shuffleSeed));
        writeStudy(key, new ReviewPage(key, references), page, keyFile);
        stdout.println("wrote " + pairs.size() + " pairs x " + criterionList.size() + " criteria to "
                + page.resolve("index.html") + " (seed " + shuffleSeed + ")");
        stdout.println("key (do not give to raters): " + keyFile);
    }

    private List<ComparisonPair> pairs() {
        if (manifest != null) {
            if (systemA != null || systemB != null || nameA != null || nameB != null) {
                throw new UserError("--manifest lists the pairs itself; drop --a/--b/--a-name/--b-name");
            }
            return PairManifest.read(manifest);
        }
        if (systemA == null || systemB == null) {
            throw new UserError("give both --a DIR and --b DIR (the two systems' image folders), or --manifest CSV");
        }
        SystemLayout a = SystemLayout.scan(systemA, Optional.ofNullable(nameA), "--a");
        SystemLayout b = SystemLayout.scan(systemB, Optional.ofNullable(nameB), "--b");
        return LayoutPairing.pair(a, b);
    }

    private String describe(Path dir, String name, String fallback) {
        if (dir == null) {
            return manifest + " column " + fallback.toLowerCase(java.util.Locale.ROOT);
        }
        return dir.toAbsolutePath().normalize() + (name == null ? "" : " (" + name + ")");
    }

    /** Builds the page in a staging folder, then moves it into place and writes the key: never half a study. */
    private void writeStudy(StudyKey key, ReviewPage reviewPage, Path page, Path keyFile) {
        Path staging = null;
        try {
            Files.createDirectories(out);
            staging = Files.createTempDirectory(out, ".staging-");
            Path stagedPage = staging.resolve("page");
            try (ProgressBar bar = progressBar(reviewPage.imageCount())) {
                reviewPage.write(stagedPage, bar::step);
            } finally {
                spec.commandLine().getErr().println(); // end the progress line, so an error gets its own line
            }
            Files.move(stagedPage, page, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.writeString(keyFile, key.toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the study to " + out + ": " + e.getMessage(), e);
        } finally {
            if (staging != null) {
                deleteTree(staging);
            }
        }
    }

    private ProgressBar progressBar(int images) {
        PrintWriter err = spec.commandLine().getErr();
        return new ProgressBarBuilder().setTaskName("images").setInitialMax(images)
                .setConsumer(new DelegatingProgressBarConsumer(line -> {
                    err.print('\r' + line);
                    err.flush();
                })).build();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // leftover staging files are harmless and hidden; the real error (if any) is already on its way
        }
    }
}
