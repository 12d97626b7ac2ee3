package io.moslora.sdxl.train;

import io.moslora.engine.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.moslora.cli.UserError;
import io.moslora.sdxl.conditioning.SdxlTimeIds;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * One training photo as diffusers' DreamBooth script prepares it: the shorter side resized to the resolution,
 * a square crop (centre, or random), optionally mirrored, scaled to [−1, 1]; plus the SDXL time ids that record
 * the original size and where the crop sits.
 *
 * @param pixels RGB planes, {@code [3, size, size]} flattened
 */
public record InstanceImage(String name, float[] pixels, int size, SdxlTimeIds timeIds) {

    public NDArray toNDArray(NDManager manager) {
        return OwnedArrays.create(manager, pixels, new Shape(1, 3, size, size));
    }

    /** Every .jpg/.jpeg/.png in {@code dir}, by file name. */
    public static List<InstanceImage> loadAll(Path dir, int resolution, boolean centerCrop, boolean randomFlip, Random rng) {
        if (!Files.isDirectory(dir)) {
            throw new UserError(dir + ": --instance-dir is not a folder of images");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)$"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UserError(dir + ": cannot list the folder (" + e.getMessage() + ")");
        }
        if (files.isEmpty()) {
            throw new UserError(dir + ": no .jpg or .png images in --instance-dir");
        }
        List<InstanceImage> out = new ArrayList<>();
        for (Path f : files) {
            out.add(load(f, resolution, centerCrop, randomFlip && rng.nextBoolean(), rng));
        }
        return out;
    }

    static InstanceImage load(Path file, int resolution, boolean centerCrop, boolean flip, Random rng) {
        BufferedImage src;
        try {
            src = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new UserError(file + ": cannot read the image (" + e.getMessage() + ")");
        }
        if (src == null) {
            throw new UserError(file + ": not an image this Java can decode (use JPEG or PNG)");
        }
        int h = src.getHeight(), w = src.getWidth();
        double scale = (double) resolution / Math.min(h, w);
        int rh = Math.max(resolution, (int) Math.round(h * scale));
        int rw = Math.max(resolution, (int) Math.round(w * scale));
        BufferedImage resized = resize(src, rw, rh);
        int top = centerCrop ? (int) Math.round((rh - resolution) / 2.0) : rng.nextInt(rh - resolution + 1);
        int left = centerCrop ? (int) Math.round((rw - resolution) / 2.0) : rng.nextInt(rw - resolution + 1);
        float[] px = new float[3 * resolution * resolution];
        int plane = resolution * resolution;
        for (int y = 0; y < resolution; y++) {
            for (int x = 0; x < resolution; x++) {
                int sx = flip ? left + resolution - 1 - x : left + x;
                int rgb = resized.getRGB(sx, top + y);
                int i = y * resolution + x;
                px[i] = ((rgb >> 16) & 0xFF) / 127.5f - 1f;
                px[plane + i] = ((rgb >> 8) & 0xFF) / 127.5f - 1f;
                px[2 * plane + i] = (rgb & 0xFF) / 127.5f - 1f;
            }
        }
        return new InstanceImage(file.getFileName().toString(), px, resolution,
                new SdxlTimeIds(h, w, top, left, resolution, resolution));
    }

    /** Bilinear resize in halving passes, so large photos shrink without aliasing. */
    static BufferedImage resize(BufferedImage src, int w, int h) {
        BufferedImage cur = src;
        while (cur.getWidth() / 2 >= w && cur.getHeight() / 2 >= h) {
            cur = draw(cur, cur.getWidth() / 2, cur.getHeight() / 2);
        }
        return draw(cur, w, h);
    }

    private static BufferedImage draw(BufferedImage src, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        return out;
    }
}
