package io.moslora.eval.human;

import io.moslora.cli.UserError;
import io.moslora.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Writes the folder raters get: {@code index.html} plus {@code images/}. Self-contained (script and style inline,
 * images beside it), so it works from {@code file://} with no network. It holds nothing that tells A from B:
 * candidates are re-encoded to PNG under names made of the pair id and the side (no file names, formats or
 * metadata of the systems survive), and the sides are the only thing the page talks about.
 */
public final class ReviewPage {
    private final StudyKey key;
    private final Map<String, List<Path>> referencesBySubject;

    public ReviewPage(StudyKey key, Map<String, List<Path>> referencesBySubject) {
        this.key = key;
        this.referencesBySubject = referencesBySubject;
    }

    /** Number of image files {@link #write} produces, for a progress bar. */
    public int imageCount() {
        return 2 * key.pairs().size() + referencesBySubject.values().stream().mapToInt(List::size).sum();
    }

    /** Writes the page into {@code dir}; {@code afterImage} runs once per image written. */
    public void write(Path dir, Runnable afterImage) {
        Path images = dir.resolve("images");
        Map<String, List<String>> referenceNames = new LinkedHashMap<>();
        int subjectIndex = 0;
        for (Map.Entry<String, List<Path>> subject : referencesBySubject.entrySet()) {
            subjectIndex++;
            List<String> names = new java.util.ArrayList<>();
            int k = 0;
            for (Path ref : subject.getValue()) {
                String name = "ref-s" + subjectIndex + "-" + (++k) + "." + ImageFiles.extension(ref);
                copy(ref, images.resolve(name));
                names.add(name);
                afterImage.run();
            }
            referenceNames.put(subject.getKey(), names);
        }
        for (BlindedPair p : key.pairs()) {
            reencode(p.leftImage(), images.resolve(candidateName(p, Side.LEFT)));
            afterImage.run();
            reencode(p.rightImage(), images.resolve(candidateName(p, Side.RIGHT)));
            afterImage.run();
        }
        AtomicFiles.writeString(dir.resolve("index.html"), html(referenceNames));
    }

    static String candidateName(BlindedPair p, Side side) {
        return p.id() + "-" + side.id() + ".png";
    }

    private String html(Map<String, List<String>> referenceNames) {
        // A fresh nonce per export: only the page's own script may run, even if some text escaped its escaping.
        String nonce = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        StringBuilder h = new StringBuilder(8192);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self' file:;")
                .append(" style-src 'unsafe-inline'; script-src 'nonce-").append(nonce).append("'\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Blind image comparison</title>\n<style>\n").append(resource("review-page.css"))
                .append("</style>\n</head>\n<body>\n")
                .append("<main id=\"study\" data-study=\"").append(Html.escape(key.study())).append("\">\n")
                .append("<h1>Blind image comparison</h1>\n")
                .append("<p>Each pair shows photos of a subject, a prompt and two generated images. For every question,")
                .append(" choose the better image, or tie. Your answers are saved in this browser; when all are")
                .append(" answered, press <em>Export votes</em> and send the downloaded CSV file back.</p>\n")
                .append("<header>\n")
                .append("<label>Rater id <input id=\"rater\" type=\"text\" autocomplete=\"off\" required></label>\n")
                .append("<button id=\"export\" type=\"button\">Export votes</button>\n")
                .append("<button id=\"reset\" type=\"button\">Next rater (clear answers)</button>\n")
                .append("<span id=\"progress\"></span><span id=\"status\" role=\"status\"></span>\n</header>\n")
                .append("<textarea id=\"csv-output\" readonly hidden></textarea>\n");
        int n = key.pairs().size();
        for (int i = 0; i < n; i++) {
            BlindedPair p = key.pairs().get(i);
            String id = Html.escape(p.id());
            h.append("<section class=\"pair\" id=\"pair-").append(id).append("\" data-pair=\"").append(id).append("\">\n")
                    .append("<h2>Pair ").append(i + 1).append(" of ").append(n).append("</h2>\n")
                    .append("<p>Subject: <span class=\"subject\">").append(Html.escape(p.pair().subject()))
                    .append("</span></p>\n<p>Prompt: <span class=\"prompt-text\">").append(Html.escape(p.pair().prompt()))
                    .append("</span></p>\n");
            List<String> refs = referenceNames.getOrDefault(p.pair().subject(), List.of());
            if (!refs.isEmpty()) {
                h.append("<div class=\"references\">");
                for (int k = 0; k < refs.size(); k++) {
                    h.append("<img class=\"reference\" src=\"images/").append(Html.escape(refs.get(k)))
                            .append("\" alt=\"reference photo ").append(k + 1).append("\">");
                }
                h.append("</div>\n");
            }
            h.append("<div class=\"candidates\">\n");
            for (Side side : Side.values()) {
                String label = side == Side.LEFT ? "Left" : "Right";
                h.append("<figure><img class=\"candidate ").append(side.id()).append("\" src=\"images/")
                        .append(Html.escape(candidateName(p, side))).append("\" alt=\"").append(label)
                        .append(" image\"><figcaption>").append(label).append("</figcaption></figure>\n");
            }
            h.append("</div>\n");
            for (Criterion c : key.criteria()) {
                String cid = Html.escape(c.id());
                String name = id + "/" + cid;
                h.append("<fieldset class=\"vote\" data-pair=\"").append(id).append("\" data-criterion=\"").append(cid)
                        .append("\">\n<legend>").append(Html.escape(c.question())).append("</legend>\n");
                appendChoice(h, name, "left", "Left better");
                appendChoice(h, name, "tie", "Tie");
                appendChoice(h, name, "right", "Right better");
                h.append("</fieldset>\n");
            }
            h.append("</section>\n");
        }
        h.append("</main>\n<script nonce=\"").append(nonce).append("\">\n").append(resource("review-page.js"))
                .append("</script>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void appendChoice(StringBuilder h, String name, String value, String label) {
        h.append("<label><input type=\"radio\" name=\"").append(name).append("\" value=\"").append(value)
                .append("\"> ").append(label).append("</label>\n");
    }

    private static String resource(String name) {
        try (InputStream in = ReviewPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copy(Path from, Path to) {
        // Copies the bytes only: the source's permissions (shared data is read-only) stay behind.
        AtomicFiles.writeStream(to, out -> Files.copy(from, out));
    }

    private static void reencode(Path from, Path to) {
        BufferedImage image;
        try {
            image = ImageIO.read(from.toFile());
        } catch (IOException e) {
            throw new UserError(from + ": cannot decode the image (" + e.getMessage() + "); replace the file");
        }
        if (image == null) {
            throw new UserError(from + ": not a readable JPEG or PNG image; replace the file");
        }
        AtomicFiles.write(to, tmp -> {
            if (!ImageIO.write(image, "png", tmp.toFile())) {
                throw new IOException("no PNG writer");
            }
        });
    }
}
