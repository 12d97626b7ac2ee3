package io.moslora.sdxl.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.cli.Cli;
import io.moslora.sdxl.cli.SdxlCommand;
import io.moslora.sdxl.generate.PngFiles;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Validation images between DreamBooth steps: written at the right steps, invisible to training. */
class ValidationImagesTest {
    private static final String PROMPT = "a photo of ikat cat on the beach";
    private static final ValidationSettings EVERY_2 = new ValidationSettings(PROMPT, 2, 2, 2);

    @Test
    void imagesAtEveryNthAndTheLastStepAndTheAdapterIsBitIdenticalToARunWithout(@TempDir Path dir) throws Exception {
        DreamBoothOptions plain = PriorPreservationTest.options(dir.resolve("plain"), 3);
        DreamBoothTrainer.Result without = PriorPreservationTest.train(plain);
        DreamBoothTrainer.Result with = PriorPreservationTest.train(
                PriorPreservationTest.options(dir.resolve("val"), 3).withValidation(EVERY_2));
        assertThat(adapter(dir.resolve("val"))).isEqualTo(adapter(dir.resolve("plain")));
        for (int i = 0; i < 3; i++) {
            assertThat(with.training().losses().get(i)[1]).isEqualTo(without.training().losses().get(i)[1]);
        }
        assertThat(dir.resolve("plain/validation")).doesNotExist();
        try (Stream<Path> s = Files.list(dir.resolve("val/validation"))) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted()).containsExactly("step-00002", "step-00003");
        }
        for (String step : new String[] {"step-00002", "step-00003"}) {
            Path folder = dir.resolve("val/validation").resolve(step);
            try (Stream<Path> s = Files.list(folder)) {
                assertThat(s.map(p -> p.getFileName().toString()).sorted()).containsExactly("000.png", "001.png", "grid.png");
            }
            assertThat(ImageIO.read(folder.resolve("grid.png").toFile()).getWidth()).isEqualTo(32); // 2 columns of 16
        }
        var text = PngFiles.readText(dir.resolve("val/validation/step-00003/001.png"));
        assertThat(text).containsEntry("prompt", PROMPT).containsEntry("seed", "8").containsEntry("steps", "2")
                .containsEntry("scheduler", "dpmpp").containsEntry("training_step", "3").containsEntry("size", "16x16");
        // the images show the adapter as it was: step 2's differ from step 3's, and the last ones are exactly what
        // 'sdxl generate' makes with the saved adapter and the same settings. Validation samples with the adapter
        // beside the base (training goes on after it), so bit for bit it is generate's --no-merge; the merged
        // default equals that within rounding (GenerateMergeTest)
        Path v = dir.resolve("val/validation");
        assertThat(pixels(v.resolve("step-00002/000.png"))).isNotEqualTo(pixels(v.resolve("step-00003/000.png")));
        StringWriter err = new StringWriter();
        int rc = Cli.run(new SdxlCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err), "generate",
                "--model", "tiny", "--lora", dir.resolve("val/adapter").toString(), "--prompt", PROMPT, "--steps", "2",
                "--scheduler", "dpmpp", "--guidance", "5", "--seed", "7", "--width", "16", "--height", "16",
                "--no-merge", "--no-progress", "--out", dir.resolve("gen").toString());
        assertThat(rc).as(err.toString()).isZero();
        assertThat(pixels(dir.resolve("gen/000.png"))).isEqualTo(pixels(v.resolve("step-00003/000.png")));
    }

    @Test
    void killedAndResumedRunWithValidationEndsWithTheStraightRunsAdapter(@TempDir Path dir) throws Exception {
        PriorPreservationTest.train(PriorPreservationTest.options(dir.resolve("straight"), 3));
        Path out = dir.resolve("resumed");
        PriorPreservationTest.train(PriorPreservationTest.options(out, 2, 1, false).withValidation(EVERY_2));
        DreamBoothOptions resumed = PriorPreservationTest.options(out, 3, 1, true).withValidation(EVERY_2);
        // the first run's last checkpoint is after step 1 (the end is not checkpointed): steps 2 and 3 run again
        assertThat(PriorPreservationTest.train(resumed).training().stepsRun()).isEqualTo(2);
        assertThat(adapter(out)).isEqualTo(adapter(dir.resolve("straight")));
        assertThat(out.resolve("validation/step-00002/grid.png")).isRegularFile();
        assertThat(out.resolve("validation/step-00003/grid.png")).isRegularFile();
    }

    private static byte[] adapter(Path out) throws Exception {
        return Files.readAllBytes(out.resolve("adapter/adapter_model.safetensors"));
    }

    private static int[] pixels(Path png) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }
}
