package io.moslora.sdxl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.MixerInit;
import io.moslora.cli.UserError;
import io.moslora.io.SharedData;
import io.moslora.sdxl.generate.PngFiles;
import io.moslora.sdxl.model.SdxlModels;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prior preservation on the tiny SDXL and the real cat photos (16-pixel crops), lr 1e-4. */
class PriorPreservationTest {
    private static final Path CAT = SharedData.require("dreambooth/cat");
    private static final String CLASS_PROMPT = "a photo of a cat";

    static DreamBoothOptions options(Path out, long steps) {
        return options(out, steps, 0, false);
    }

    static DreamBoothOptions options(Path out, long steps, int checkpointEvery, boolean resume) {
        return new DreamBoothOptions(CAT, "a photo of ikat cat", AdapterKind.MOSLORA, 4, MixerInit.KAIMING,
                DreamBoothOptions.UNET_ATTENTION, 16, true, false, 1e-4, 1, 2, steps, checkpointEvery, resume, 7, null,
                out, false);
    }

    static DreamBoothTrainer.Result train(DreamBoothOptions o) {
        try (NDManager m = NDManager.newBaseManager()) {
            return DreamBoothTrainer.train(SdxlModels.tiny(0, m), o, m);
        }
    }

    @Test
    void missingClassImagesAreMadeByTheBaseModelOnceAndTrainTheSameWhenFoundReady(@TempDir Path dir) throws Exception {
        Path classDir = dir.resolve("class"); // does not exist yet: created, as diffusers does
        PriorPreservation p = new PriorPreservation(classDir, CLASS_PROMPT, 1.0, 3, 2);
        DreamBoothTrainer.Result made = train(options(dir.resolve("a"), 1).withPrior(p));
        assertThat(made.classImagesGenerated()).isEqualTo(3);
        List<Path> files = ClassImages.imageFiles(classDir);
        assertThat(files).extracting(f -> f.getFileName().toString())
                .containsExactly("class-00000.png", "class-00001.png", "class-00002.png");
        BufferedImage first = ImageIO.read(files.get(0).toFile());
        assertThat(first.getWidth()).isEqualTo(16);
        assertThat(first.getHeight()).isEqualTo(16);
        assertThat(PngFiles.readText(files.get(0))).containsEntry("prompt", CLASS_PROMPT).containsEntry("steps", "2")
                .containsEntry("size", "16x16");
        // each image has its own seed
        assertThat(PngFiles.readText(files.get(1)).get("seed")).isNotEqualTo(PngFiles.readText(files.get(0)).get("seed"));
        byte[] before = Files.readAllBytes(files.get(2));

        DreamBoothTrainer.Result ready = train(options(dir.resolve("b"), 1).withPrior(p));
        assertThat(ready.classImagesGenerated()).isZero();
        assertThat(ClassImages.imageFiles(classDir)).hasSize(3);
        assertThat(Files.readAllBytes(files.get(2))).isEqualTo(before);
        // a run that found the images ready trains exactly as the run that made them
        assertThat(ready.training().losses().get(0)[1]).isEqualTo(made.training().losses().get(0)[1]);
        assertThat(Files.readAllBytes(dir.resolve("b/adapter/adapter_model.safetensors")))
                .isEqualTo(Files.readAllBytes(dir.resolve("a/adapter/adapter_model.safetensors")));

        // asking for more tops the folder up, counting from what is there
        DreamBoothTrainer.Result more = train(options(dir.resolve("c"), 1).withPrior(
                new PriorPreservation(classDir, CLASS_PROMPT, 1.0, 4, 2)));
        assertThat(more.classImagesGenerated()).isEqualTo(1);
        assertThat(ClassImages.imageFiles(classDir)).hasSize(4).last().isEqualTo(classDir.resolve("class-00003.png"));
    }

    @Test
    void weightZeroIsExactlyTheInstanceOnlyRunAndTheWeightScalesTheClassLoss(@TempDir Path dir) throws Exception {
        Path classDir = Files.createDirectories(dir.resolve("class"));
        Files.copy(CAT.resolve("03.jpg"), classDir.resolve("a.jpg"));
        Files.copy(CAT.resolve("04.jpg"), classDir.resolve("b.jpg"));
        DreamBoothTrainer.Result plain = train(options(dir.resolve("plain"), 2));
        DreamBoothTrainer.Result w0 = train(options(dir.resolve("w0"), 2).withPrior(
                PriorPreservation.of(classDir, CLASS_PROMPT, 0.0, 2)));
        assertThat(w0.classImagesGenerated()).isZero(); // enough images already: none made
        assertThat(ClassImages.imageFiles(classDir)).hasSize(2);
        for (int step = 0; step < 2; step++) {
            assertThat(w0.training().losses().get(step)[1]).isEqualTo(plain.training().losses().get(step)[1]);
        }
        assertThat(Files.readAllBytes(dir.resolve("w0/adapter/adapter_model.safetensors")))
                .isEqualTo(Files.readAllBytes(dir.resolve("plain/adapter/adapter_model.safetensors")));

        // the first step's loss (before any update) is instance + W × class: linear in W
        double l0 = w0.training().losses().get(0)[1];
        double l1 = train(options(dir.resolve("w1"), 1).withPrior(PriorPreservation.of(classDir, CLASS_PROMPT, 1.0, 2)))
                .training().losses().get(0)[1];
        double l3 = train(options(dir.resolve("w3"), 1).withPrior(PriorPreservation.of(classDir, CLASS_PROMPT, 3.0, 2)))
                .training().losses().get(0)[1];
        double classLoss = l1 - l0;
        assertThat(classLoss).isGreaterThan(0.01);
        assertThat(l3).isCloseTo(l0 + 3 * classLoss, within(1e-5 * l3));
    }

    @Test
    void badSettingsAndABadClassImageNameTheOptionOrFile(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> PriorPreservation.of(dir, CLASS_PROMPT, -0.5, 2))
                .isInstanceOf(UserError.class).hasMessageContaining("--prior-loss-weight");
        assertThatThrownBy(() -> PriorPreservation.of(dir, " ", 1.0, 2))
                .isInstanceOf(UserError.class).hasMessageContaining("--class-prompt");
        Path file = Files.writeString(dir.resolve("notadir"), "x");
        assertThatThrownBy(() -> train(options(dir.resolve("o1"), 1).withPrior(PriorPreservation.of(file, CLASS_PROMPT, 1, 2))))
                .isInstanceOf(UserError.class).hasMessageContaining("--class-dir").hasMessageContaining(file.toString());
        Path classDir = Files.createDirectories(dir.resolve("class"));
        Path bad = Files.write(classDir.resolve("bad.png"), new byte[] {1, 2, 3, 4});
        assertThatThrownBy(() -> train(options(dir.resolve("o2"), 1).withPrior(PriorPreservation.of(classDir, CLASS_PROMPT, 1, 2))))
                .isInstanceOf(UserError.class).hasMessageContaining("--class-dir").hasMessageContaining(bad.toString());
        // a bad image stops the run before any class image is made
        assertThat(ClassImages.imageFiles(classDir)).containsExactly(bad);
    }
}
