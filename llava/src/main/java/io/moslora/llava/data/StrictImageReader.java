package io.moslora.llava.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes an image file completely and treats every decoder warning as an error: Java's JPEG decoder only
 * warns on a truncated file and returns a half-grey picture, which must not reach training.
 */
public final class StrictImageReader {
    private StrictImageReader() {}

    /** The decoded picture as 8-bit RGB; an IOException says what is wrong with the file. */
    public static BufferedImage read(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new IOException("cannot open");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException("not an image format Java can decode");
            }
            ImageReader reader = readers.next();
            try {
                StringBuilder warnings = new StringBuilder();
                reader.addIIOReadWarningListener((source, warning) -> warnings.append(warning).append("; "));
                reader.setInput(in, true, true);
                BufferedImage img = reader.read(0);
                if (warnings.length() > 0) {
                    throw new IOException("corrupt image: " + warnings.substring(0, warnings.length() - 2));
                }
                return toRgb(img);
            } catch (RuntimeException e) { // some decoders throw unchecked exceptions on bad data
                throw new IOException("corrupt image: " + e, e);
            } finally {
                reader.dispose();
            }
        }
    }

    /** Any picture as TYPE_INT_RGB (alpha dropped onto black, as PIL's convert('RGB') does). */
    public static BufferedImage toRgb(BufferedImage img) {
        if (img.getType() == BufferedImage.TYPE_INT_RGB) {
            return img;
        }
        BufferedImage rgb = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                rgb.setRGB(x, y, img.getRGB(x, y) & 0xFFFFFF);
            }
        }
        return rgb;
    }
}
