package io.moslora.llava.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ClipImageProcessorTest {
    static BufferedImage solid(int w, int h, Color c) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    @Test
    void padColourIsLlavasTruncatedClipMean() {
        assertThat(ClipImageProcessor.PAD_COLOR).isEqualTo(new Color(122, 116, 104));
    }

    @Test
    void expandToSquareCentresTheImageLikeExpand2square() {
        BufferedImage wide = solid(100, 51, Color.RED);
        BufferedImage sq = ClipImageProcessor.expandToSquare(wide, ClipImageProcessor.PAD_COLOR);
        assertThat(sq.getWidth()).isEqualTo(100);
        assertThat(sq.getHeight()).isEqualTo(100);
        // paste at (0, (100-51)//2 = 24): rows 24..74 red, the rest the pad colour
        assertThat(sq.getRGB(50, 23) & 0xFFFFFF).isEqualTo(0x7A7468);
        assertThat(sq.getRGB(50, 24) & 0xFFFFFF).isEqualTo(0xFF0000);
        assertThat(sq.getRGB(50, 74) & 0xFFFFFF).isEqualTo(0xFF0000);
        assertThat(sq.getRGB(50, 75) & 0xFFFFFF).isEqualTo(0x7A7468);
        BufferedImage tall = ClipImageProcessor.expandToSquare(solid(10, 30, Color.RED), Color.BLACK);
        assertThat(tall.getRGB(9, 0) & 0xFFFFFF).isEqualTo(0);
        assertThat(tall.getRGB(10, 0) & 0xFFFFFF).isEqualTo(0xFF0000);
        assertThat(tall.getRGB(19, 0) & 0xFFFFFF).isEqualTo(0xFF0000);
        assertThat(tall.getRGB(20, 0) & 0xFFFFFF).isEqualTo(0);
    }

    @Test
    void preprocessGivesNormalisedChwWithExactValuesInFlatRegions() {
        ClipImageProcessor p = new ClipImageProcessor(32, true);
        float[] px = p.preprocess(solid(200, 100, Color.RED));
        assertThat(px).hasSize(3 * 32 * 32);
        int hw = 32 * 32;
        // centre: pure red; top row: the pad colour 122,116,104 (flat regions survive bicubic exactly)
        int centre = 16 * 32 + 16;
        assertThat(px[centre]).isCloseTo((float) ((1 - 0.48145466) / 0.26862954), within(1e-6f));
        assertThat(px[hw + centre]).isCloseTo((float) ((0 - 0.4578275) / 0.26130258), within(1e-6f));
        assertThat(px[2 * hw + centre]).isCloseTo((float) ((0 - 0.40821073) / 0.27577711), within(1e-6f));
        assertThat(px[0]).isCloseTo((float) ((122 / 255.0 - 0.48145466) / 0.26862954), within(1e-6f));
        assertThat(px[hw]).isCloseTo((float) ((116 / 255.0 - 0.4578275) / 0.26130258), within(1e-6f));
        assertThat(px[2 * hw]).isCloseTo((float) ((104 / 255.0 - 0.40821073) / 0.27577711), within(1e-6f));
    }

    @Test
    void withoutPaddingTheShortestSideIsResizedAndTheCentreCropped() {
        BufferedImage img = solid(60, 20, Color.BLACK);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 20, 20); // left third white: cropped away by the centre crop
        g.dispose();
        BufferedImage resized = ClipImageProcessor.resizeShortestSide(img, 10);
        assertThat(resized.getWidth()).isEqualTo(30);
        assertThat(resized.getHeight()).isEqualTo(10);
        float[] px = new ClipImageProcessor(10, false).preprocess(img);
        float black = (float) ((0 - 0.48145466) / 0.26862954);
        assertThat(px[5 * 10 + 5]).isCloseTo(black, within(1e-6f)); // centre of the middle third
        assertThat(ClipImageProcessor.centerCrop(resized, 10).getRGB(0, 0) & 0xFFFFFF).isLessThan(0x404040);
    }
}
