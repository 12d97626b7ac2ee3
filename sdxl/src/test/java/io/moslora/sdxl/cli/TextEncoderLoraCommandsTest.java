package io.moslora.sdxl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.cli.Cli;
import io.moslora.io.SharedData;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dreambooth --train-text-encoder, then generate --lora with each layout it wrote: the same image. */
class TextEncoderLoraCommandsTest {
    private static int run(StringWriter err, String... args) {
        return Cli.run(new SdxlCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err), args);
    }

    @Test
    void generateReadsThePeftFolderTheDiffusersFileAndTheKohyaFileAlike(@TempDir Path dir) throws Exception {
        StringWriter err = new StringWriter();
        Path db = dir.resolve("db");
        assertThat(run(err, "dreambooth", "--model", "tiny", "--instance-dir", SharedData.require("dreambooth/cat").toString(),
                "--resolution", "16", "--center-crop", "--steps", "1", "--grad-accum", "1", "--adapter", "lora",
                "--train-text-encoder", "--text-encoder-lr", "5e-5", "--no-progress", "--out", db.toString()))
                .as(err.toString()).isZero();
        int[] reference = null;
        for (String lora : new String[] {"adapter", "pytorch_lora_weights.safetensors", "lora_kohya.safetensors"}) {
            Path out = dir.resolve("gen-" + lora);
            assertThat(run(err, "generate", "--model", "tiny", "--lora", db.resolve(lora).toString(), "--prompt",
                    "a photo of ikat cat", "--steps", "2", "--width", "16", "--height", "16", "--no-progress",
                    "--out", out.toString())).as(err.toString()).isZero();
            int[] px = pixels(ImageIO.read(out.resolve("000.png").toFile()));
            if (reference == null) reference = px;
            assertThat(px).as(lora).isEqualTo(reference);
        }
    }

    @Test
    void textEncoderLrWithoutTrainingTheTextEncodersIsRefused(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        assertThat(run(err, "dreambooth", "--model", "tiny", "--instance-dir", dir.toString(), "--text-encoder-lr", "1e-5",
                "--out", dir.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("--text-encoder-lr").contains("--train-text-encoder");
        StringWriter err2 = new StringWriter();
        assertThat(run(err2, "generate", "--model", "tiny", "--lora", dir.resolve("missing.safetensors").toString(),
                "--prompt", "x", "--width", "16", "--height", "16", "--no-progress", "--out", dir.toString())).isEqualTo(1);
        assertThat(err2.toString()).contains("missing.safetensors");
    }

    private static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }
}
