package io.moslora.eval.human;

import io.moslora.cli.UserError;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Pairs listed by hand in a CSV with the header {@code subject,prompt,a,b}: one row per pair, image paths
 * absolute or relative to the manifest's folder. For outputs that do not follow the official folder layout.
 */
public final class PairManifest {
    static final List<String> HEADER = List.of("subject", "prompt", "a", "b");

    private PairManifest() {}

    public static List<ComparisonPair> read(Path manifest) {
        if (!Files.isRegularFile(manifest)) {
            throw new UserError("--manifest " + manifest + ": not found; give a CSV with the header "
                    + String.join(",", HEADER));
        }
        Path base = manifest.toAbsolutePath().getParent();
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
        try (Reader reader = Files.newBufferedReader(manifest, StandardCharsets.UTF_8);
             CSVParser parser = CSVParser.parse(reader, format)) {
            if (!parser.getHeaderNames().equals(HEADER)) {
                throw new UserError(manifest + ": header is " + parser.getHeaderNames() + "; it must be "
                        + String.join(",", HEADER));
            }
            List<ComparisonPair> pairs = new ArrayList<>();
            for (CSVRecord row : parser) {
                long line = row.getRecordNumber() + 1;
                if (row.size() != HEADER.size()) {
                    throw new UserError(manifest + " line " + line + ": " + row.size() + " fields; each row needs "
                            + String.join(",", HEADER));
                }
                String subject = field(manifest, line, row, "subject");
                String prompt = field(manifest, line, row, "prompt");
                Path a = image(manifest, base, line, row, "a");
                Path b = image(manifest, base, line, row, "b");
                pairs.add(new ComparisonPair(subject, prompt, a, b));
            }
            if (pairs.isEmpty()) {
                throw new UserError(manifest + ": no pairs listed; add one row per pair under the header");
            }
            return List.copyOf(pairs);
        } catch (IOException e) {
            throw new UserError(manifest + ": cannot read as CSV: " + e.getMessage(), e);
        } catch (UncheckedIOException | IllegalStateException e) {
            throw new UserError(manifest + ": malformed CSV: " + e.getMessage(), e);
        }
    }

    private static String field(Path manifest, long line, CSVRecord row, String name) {
        String value = row.get(name).strip();
        if (value.isEmpty()) {
            throw new UserError(manifest + " line " + line + ": field '" + name + "' is empty; fill it in");
        }
        return value;
    }

    private static Path image(Path manifest, Path base, long line, CSVRecord row, String name) {
        Path p = base.resolve(field(manifest, line, row, name)).normalize();
        if (!ImageFiles.isImage(p)) {
            throw new UserError(manifest + " line " + line + ": field '" + name + "': " + p
                    + " is not a .jpg/.jpeg/.png file; fix the path");
        }
        return p;
    }
}
