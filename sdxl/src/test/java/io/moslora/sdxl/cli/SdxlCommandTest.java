package io.moslora.sdxl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.cli.Cli;
import io.moslora.sdxl.generate.PngFiles;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SdxlCommandTest {
    private static int run(StringWriter err, String... args) {
        return Cli.run(new SdxlCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err), args);
    }

    @Test
    void generateIsDeterministicForASeedAndRecordsItsSettings(@TempDir Path dir) throws Exception {
        StringWriter err = new StringWriter();
        String[] common = {"generate", "--model", "tiny", "--prompt", "a photo of ikat cat", "--steps", "3",
                "--width", "16", "--height", "16", "--seed", "5", "--num-images", "2", "--no-progress"};
        assertThat(run(err, concat(common, "--out", dir.resolve("a").toString()))).as(err.toString()).isZero();
        assertThat(run(err, concat(common, "--out", dir.resolve("b").toString()))).as(err.toString()).isZero();
        BufferedImage a = ImageIO.read(dir.resolve("a/000.png").toFile());
        BufferedImage b = ImageIO.read(dir.resolve("b/000.png").toFile());
        assertThat(a.getWidth()).isEqualTo(16);
        assertThat(pixels(a)).isEqualTo(pixels(b));
        assertThat(pixels(a)).isNotEqualTo(pixels(ImageIO.read(dir.resolve("a/001.png").toFile()))); // seed 6
        var text = PngFiles.readText(dir.resolve("a/001.png"));
        assertThat(text).containsEntry("prompt", "a photo of ikat cat").containsEntry("seed", "6")
                .containsEntry("steps", "3").containsEntry("scheduler", "euler").containsEntry("size", "16x16");
        assertThat(ImageIO.read(dir.resolve("a/grid.png").toFile()).getWidth()).isEqualTo(32);
    }

    @Test
    void promptsFileLayoutForTheHumanEvaluation(@TempDir Path dir) throws Exception {
        StringWriter err = new StringWriter();
        assertThat(run(err, "generate", "--model", "tiny", "--prompts", "dreambooth", "--subject", "cat", "--steps", "1",
                "--guidance", "1", "--width", "16", "--height", "16", "--no-progress", "--out", dir.toString()))
                .as(err.toString()).isZero();
        assertThat(dir.resolve("cat/a_ikat_cat_in_the_jungle/000.png")).isRegularFile();
        try (var s = Files.list(dir.resolve("cat"))) {
            assertThat(s.count()).isEqualTo(25);
        }
    }

    @Test
    void badInputsFailWithOneLine(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        assertThat(run(err, "generate", "--model", "tiny", "--prompt", "x", "--width", "15", "--height", "16",
                "--no-progress", "--out", dir.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("--width");
        StringWriter err2 = new StringWriter();
        assertThat(run(err2, "dreambooth", "--model", "tiny", "--instance-dir", dir.resolve("none").toString(),
                "--out", dir.toString())).isEqualTo(1);
        assertThat(err2.toString()).contains("--instance-dir");
        StringWriter err3 = new StringWriter();
        assertThat(run(err3, "generate", "--model", dir.toString(), "--prompt", "x", "--no-progress", "--out", dir.toString()))
                .isEqualTo(1);
        assertThat(err3.toString()).contains("unet/config.json");
        StringWriter err4 = new StringWriter();
        assertThat(run(err4, "dreambooth", "--model", "tiny", "--instance-dir", dir.toString(), "--adapter", "dora",
                "--out", dir.toString())).isEqualTo(1);
        assertThat(err4.toString()).contains("--adapter dora");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }
}
