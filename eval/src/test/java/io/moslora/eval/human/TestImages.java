package io.moslora.eval.human;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Candidate images drawn with Java2D: a coloured background with a disc whose place encodes a number. */
final class TestImages {
    static final int WIDTH = 96;
    static final int HEIGHT = 64;

    private TestImages() {}

    /** Writes an image at {@code file} in the format its extension names (png or jpg). */
    static Path draw(Path file, Color background, int mark) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(background);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setColor(Color.WHITE);
        g.fillOval(4 + (mark * 13) % (WIDTH - 24), 8 + (mark * 7) % (HEIGHT - 24), 16, 16);
        g.dispose();
        try {
            Files.createDirectories(file.getParent());
            String format = ImageFiles.extension(file).equals("png") ? "png" : "jpg";
            if (!ImageIO.write(image, format, file.toFile())) {
                throw new IOException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** The decoded RGB pixels of an image file, for exact comparisons. */
    static int[] pixels(Path file) {
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
