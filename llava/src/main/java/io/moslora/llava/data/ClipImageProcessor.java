package io.moslora.llava.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import org.imgscalr.Scalr;

/**
 * LLaVA-1.5's image path into CLIP: optionally pad to a square with the CLIP mean colour
 * ({@code image_aspect_ratio pad}, LLaVA's {@code expand2square}), resize the shortest side to {@code size}
 * bicubic, centre-crop {@code size×size}, scale by 1/255, normalise with the CLIP mean/std. Output: CHW floats.
 */
public record ClipImageProcessor(int size, boolean padToSquare) {
    public static final double[] MEAN = {0.48145466, 0.4578275, 0.40821073};
    public static final double[] STD = {0.26862954, 0.26130258, 0.27577711};
    /** LLaVA pads with {@code tuple(int(x*255) for x in image_mean)}: truncated, (122, 116, 104). */
    public static final Color PAD_COLOR = new Color((int) (MEAN[0] * 255), (int) (MEAN[1] * 255), (int) (MEAN[2] * 255));

    /** ViT-L/14-336's preprocessing as LLaVA-1.5 uses it. */
    public static ClipImageProcessor llava15() {
        return new ClipImageProcessor(336, true);
    }

    public ClipImageProcessor {
        if (size <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + size);
        }
    }

    public float[] preprocess(BufferedImage image) {
        BufferedImage img = StrictImageReader.toRgb(image);
        if (padToSquare) {
            img = expandToSquare(img, PAD_COLOR);
        }
        img = resizeShortestSide(img, size);
        img = centerCrop(img, size);
        return normalize(img);
    }

    /** The picture centred on a square canvas of its longer side, as LLaVA's {@code expand2square}. */
    public static BufferedImage expandToSquare(BufferedImage img, Color background) {
        int w = img.getWidth();
        int h = img.getHeight();
        if (w == h) {
            return img;
        }
        int s = Math.max(w, h);
        BufferedImage out = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(background);
        g.fillRect(0, 0, s, s);
        g.drawImage(img, (s - w) / 2, (s - h) / 2, null);
        g.dispose();
        return out;
    }

    /** CLIP's {@code shortest_edge} resize: the short side becomes {@code size}, the long side {@code int(size*long/short)}. */
    public static BufferedImage resizeShortestSide(BufferedImage img, int size) {
        int w = img.getWidth();
        int h = img.getHeight();
        int nw = w <= h ? size : (int) ((long) size * w / h);
        int nh = h <= w ? size : (int) ((long) size * h / w);
        if (nw == w && nh == h) {
            return img;
        }
        return StrictImageReader.toRgb(Scalr.resize(img, Scalr.Method.QUALITY, Scalr.Mode.FIT_EXACT, nw, nh));
    }

    public static BufferedImage centerCrop(BufferedImage img, int size) {
        int w = img.getWidth();
        int h = img.getHeight();
        if (w == size && h == size) {
            return img;
        }
        int top = Math.max(0, (h - size) / 2);
        int left = Math.max(0, (w - size) / 2);
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB); // black where too small
        Graphics2D g = out.createGraphics();
        g.drawImage(img, -left, -top, null);
        g.dispose();
        return out;
    }

    /** CHW floats: (value/255 - mean) / std per channel. */
    public static float[] normalize(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[] out = new float[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int[] c = {(rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF};
                for (int ch = 0; ch < 3; ch++) {
                    out[ch * w * h + y * w + x] = (float) ((c[ch] / 255.0 - MEAN[ch]) / STD[ch]);
                }
            }
        }
        return out;
    }
}
