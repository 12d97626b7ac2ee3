package io.moslora.sdxl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.LoraLinear;
import io.moslora.adapters.PeftAdapters;
import io.moslora.cli.Cli;
import io.moslora.io.SharedData;
import io.moslora.sdxl.generate.PngFiles;
import io.moslora.sdxl.model.SdxlModels;
import io.moslora.sdxl.train.DreamBoothOptions;
import io.moslora.sdxl.train.DreamBoothTrainer;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DreamBooth extras on the command line: prior-preservation inputs and generate's --lora-scale. */
class DreamBoothCommandTest {
    private static final Path CAT = SharedData.require("dreambooth/cat");

    private static String failing(Path dir, String... extra) {
        String[] base = {"dreambooth", "--model", "tiny", "--instance-dir", CAT.toString(), "--resolution", "16",
                "--steps", "1", "--grad-accum", "1", "--no-progress", "--out", dir.resolve("out").toString()};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        StringWriter err = new StringWriter();
        assertThat(Cli.run(new SdxlCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err), args))
                .as(err.toString()).isEqualTo(1);
        String message = err.toString().strip();
        assertThat(message.lines()).as(message).hasSize(1);
        assertThat(dir.resolve("out/adapter")).doesNotExist(); // refused before anything was trained
        return message;
    }

    @Test
    void badPriorPreservationInputsFailWithOneLineNamingTheOptionOrFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("class.txt"), "not a folder");
        assertThat(failing(dir, "--class-dir", file.toString(), "--class-prompt", "a cat"))
                .contains("--class-dir").contains(file.toString());
        Path classDir = Files.createDirectories(dir.resolve("class"));
        Path bad = Files.write(classDir.resolve("bad.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
        assertThat(failing(dir, "--class-dir", classDir.toString(), "--class-prompt", "a cat", "--num-class-images", "2"))
                .contains("--class-dir").contains(bad.toString());
        assertThat(failing(dir, "--class-dir", classDir.toString(), "--class-prompt", "a cat", "--prior-loss-weight", "-1"))
                .contains("--prior-loss-weight");
        assertThat(failing(dir, "--class-dir", classDir.toString())).contains("--class-prompt");
        assertThat(failing(dir, "--with-prior-preservation", "--class-prompt", "a cat")).contains("--class-dir");
        assertThat(failing(dir, "--class-prompt", "a cat")).contains("--class-prompt is only used with --class-dir");
        assertThat(failing(dir, "--class-dir", classDir.toString(), "--class-prompt", "a cat", "--num-class-images", "0"))
                .contains("--num-class-images");
        assertThat(failing(dir, "--validation-every", "2")).contains("--validation-prompt");
        assertThat(failing(dir, "--validation-prompt", "x", "--num-validation-images", "0")).contains("--num-validation-images");
        assertThat(ClassImagesOnDisk.count(classDir)).isEqualTo(1); // nothing generated on the way
    }

    @Test
    void loraScaleZeroIsExactlyTheBaseModelAndOneIsTheDefault(@TempDir Path dir) throws Exception {
        Path adapter = dir.resolve("adapter");
        try (NDManager m = NDManager.newBaseManager()) {
            SdxlModels models = SdxlModels.tiny(0, m);
            AdapterConfig config = DreamBoothTrainer.adapterConfig(
                    DreamBoothOptions.paper(CAT, "a photo of ikat cat", AdapterKind.MOSLORA, dir));
            AdapterInjector.inject(models.unet(), config, m);
            // B starts at zero; give it values so the adapter visibly changes the image
            models.unet().namedModules().values().stream().filter(x -> x instanceof LoraLinear).map(x -> (LoraLinear) x)
                    .forEach(l -> l.loraB().weight().set(m.randomNormal(0, 0.5f, l.loraB().weight().array().getShape(),
                            DataType.FLOAT32)));
            PeftAdapters.save(models.unet(), config, adapter);
        }
        int[] base = generate(dir.resolve("base"));
        int[] zero = generate(dir.resolve("zero"), "--lora", adapter.toString(), "--lora-scale", "0");
        int[] byDefault = generate(dir.resolve("default"), "--lora", adapter.toString());
        int[] one = generate(dir.resolve("one"), "--lora", adapter.toString(), "--lora-scale", "1");
        int[] half = generate(dir.resolve("half"), "--lora", adapter.toString(), "--lora-scale", "0.5");
        assertThat(zero).isEqualTo(base);
        assertThat(one).isEqualTo(byDefault);
        assertThat(byDefault).isNotEqualTo(base);
        assertThat(half).isNotEqualTo(base).isNotEqualTo(byDefault);
        assertThat(PngFiles.readText(dir.resolve("half/000.png"))).containsEntry("lora_scale", "0.5")
                .containsEntry("lora", adapter.toString());
        assertThat(PngFiles.readText(dir.resolve("default/000.png"))).containsEntry("lora_scale", "1.0");
        assertThat(PngFiles.readText(dir.resolve("base/000.png"))).doesNotContainKey("lora_scale");

        StringWriter err = new StringWriter();
        assertThat(Cli.run(new SdxlCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err), "generate",
                "--model", "tiny", "--prompt", "x", "--lora-scale", "0.5", "--out", dir.resolve("bad").toString()))
                .isEqualTo(1);
        assertThat(err.toString()).contains("--lora-scale is only used with --lora");
    }

    private static int[] generate(Path out, String... extra) throws Exception {
        String[] base = {"generate", "--model", "tiny", "--prompt", "a photo of ikat cat", "--steps", "2", "--width", "16",
                "--height", "16", "--seed", "3", "--no-progress", "--out", out.toString()};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        StringWriter err = new StringWriter();
        assertThat(Cli.run(new SdxlCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err), args))
                .as(err.toString()).isZero();
        BufferedImage img = ImageIO.read(out.resolve("000.png").toFile());
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    /** Counts files without reaching into the train package's internals. */
    private static final class ClassImagesOnDisk {
        static long count(Path dir) throws Exception {
            try (var s = Files.list(dir)) {
                return s.count();
            }
        }
    }
}
