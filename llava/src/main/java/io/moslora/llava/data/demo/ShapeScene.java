package io.moslora.llava.data.demo;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small synthetic picture: one to four shapes of one kind and one colour on a white canvas, all in the left
 * or the right half. Everything a question can ask (colour, kind, count, side) is known exactly.
 */
public record ShapeScene(Kind kind, Palette colour, int count, Side side, List<int[]> boxes, int size) {

    public enum Kind { CIRCLE, SQUARE, TRIANGLE;
        public String word() { return name().toLowerCase(java.util.Locale.ROOT); }
        public String plural() { return word() + "s"; }
    }

    public enum Side { LEFT, RIGHT;
        public String word() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /** Colours far apart, so a tiny vision tower can tell them apart. */
    public enum Palette {
        RED(new Color(220, 30, 30)), GREEN(new Color(30, 160, 60)), BLUE(new Color(30, 60, 220)), YELLOW(new Color(240, 200, 20));

        public final Color rgb;

        Palette(Color rgb) {
            this.rgb = rgb;
        }

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static final int MAX_COUNT = 4;

    /** A random scene; the same random state gives the same scene. */
    public static ShapeScene random(Random rnd, int size) {
        Kind kind = Kind.values()[rnd.nextInt(Kind.values().length)];
        Palette colour = Palette.values()[rnd.nextInt(Palette.values().length)];
        int count = 1 + rnd.nextInt(MAX_COUNT);
        Side side = Side.values()[rnd.nextInt(2)];
        // The half is cut into `count` rows so shapes never overlap; each shape jitters inside its cell.
        int half = size / 2;
        int cell = size / count;
        int shape = Math.max(4, Math.min(half, cell) * 3 / 4);
        List<int[]> boxes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int x0 = side == Side.LEFT ? 0 : half;
            int x = x0 + rnd.nextInt(Math.max(1, half - shape));
            int y = i * cell + rnd.nextInt(Math.max(1, cell - shape));
            boxes.add(new int[] {x, y, shape});
        }
        return new ShapeScene(kind, colour, count, side, List.copyOf(boxes), size);
    }

    /** Drawn without anti-aliasing: pixels are exactly white or exactly the palette colour. */
    public BufferedImage draw() {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, size, size);
        g.setColor(colour.rgb);
        for (int[] b : boxes) {
            int x = b[0];
            int y = b[1];
            int s = b[2];
            switch (kind) {
                case CIRCLE -> g.fillOval(x, y, s, s);
                case SQUARE -> g.fillRect(x, y, s, s);
                case TRIANGLE -> g.fillPolygon(new int[] {x + s / 2, x, x + s}, new int[] {y, y + s, y + s}, 3);
            }
        }
        g.dispose();
        return img;
    }
}
