package io.moslora.eval.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.imageio.ImageIO;

/** Writes small hand-made TSV/CSV files for tests (rows joined with tabs/newlines). */
public final class TestTables {
    private TestTables() {}

    public static Path write(Path dir, String name, String... lines) {
        try {
            Path p = dir.resolve(name);
            Files.writeString(p, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A tab-joined row. */
    public static String row(String... cells) {
        return String.join("\t", cells);
    }

    /** A w×h PNG of one colour, base64-encoded as VLMEvalKit stores images. */
    public static String pngBase64(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }
}
