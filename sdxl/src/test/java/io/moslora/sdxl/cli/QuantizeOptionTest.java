package io.moslora.sdxl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.cli.Cli;
import io.moslora.io.SharedData;
import io.moslora.sdxl.generate.PngFiles;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --quantize nf4} on the command line: DreamBooth on the 4-bit UNet, then generation with its adapter. */
class QuantizeOptionTest {
    private static final Path CAT = SharedData.require("dreambooth/cat");

    @Test
    void nf4DreamBoothWritesTheSameFilesAndItsAdapterChangesNf4Generation(@TempDir Path dir) throws Exception {
        String nf4 = run(0, "dreambooth", dir.resolve("nf4"), "--quantize", "nf4");
        run(0, "dreambooth", dir.resolve("dense"));
        // the tiny UNet: 2 down/up levels' worth of attention, feed-forward, projections, embeddings, resnet inputs
        assertThat(nf4).containsPattern("UNet base: \\d+ linear layers in nf4");
        assertThat(files(dir.resolve("nf4"))).isNotEmpty().isEqualTo(files(dir.resolve("dense")));

        int[] dense = generate(dir.resolve("gen-dense"));
        int[] base = generate(dir.resolve("gen-nf4"), "--quantize", "nf4");
        int[] adapted = generate(dir.resolve("gen-nf4-lora"), "--quantize", "nf4", "--lora",
                dir.resolve("nf4/adapter").toString());
        assertThat(base).isNotEqualTo(dense); // the 4-bit UNet is in use
        assertThat(adapted).isNotEqualTo(base); // and the trained adapter on it
        assertThat(PngFiles.readText(dir.resolve("gen-nf4-lora/000.png"))).containsEntry("quantize", "nf4");
        assertThat(PngFiles.readText(dir.resolve("gen-dense/000.png"))).doesNotContainKey("quantize");
    }

    @Test
    void anUnknownQuantizationIsAOneLineUserErrorBeforeAnyWork(@TempDir Path dir) {
        String d = run(1, "dreambooth", dir.resolve("out"), "--quantize", "int3");
        assertThat(d.lines()).hasSize(1);
        assertThat(d).contains("--quantize int3: use none or nf4");
        assertThat(dir.resolve("out")).doesNotExist();
        String g = run(1, "generate", dir.resolve("gen"), "--quantize", "int3");
        assertThat(g.lines()).hasSize(1);
        assertThat(g).contains("--quantize int3: use none or nf4");
        assertThat(dir.resolve("gen")).doesNotExist();
    }

    /** Runs a tiny dreambooth or generate into {@code out}; returns stdout, or stderr when {@code exit} is non-zero. */
    private static String run(int exit, String command, Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(command.equals("dreambooth")
                ? List.of("dreambooth", "--model", "tiny", "--instance-dir", CAT.toString(), "--resolution", "16",
                        "--center-crop", "--steps", "3", "--grad-accum", "1", "--lr", "5e-2", "--seed", "7")
                : List.of("generate", "--model", "tiny", "--prompt", "a photo of ikat cat", "--steps", "2", "--width",
                        "16", "--height", "16", "--seed", "3"));
        args.addAll(List.of("--no-progress", "--out", out.toString()));
        args.addAll(List.of(extra));
        StringWriter o = new StringWriter(), err = new StringWriter();
        assertThat(Cli.run(new SdxlCommand(), new PrintWriter(o), new PrintWriter(err), args.toArray(String[]::new)))
                .as(err.toString()).isEqualTo(exit);
        return exit == 0 ? o.toString() : err.toString().strip();
    }

    private static int[] generate(Path out, String... extra) throws Exception {
        run(0, "generate", out, extra);
        BufferedImage img = ImageIO.read(out.resolve("000.png").toFile());
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    /** Every file under a run's folder, by relative path. */
    private static List<String> files(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }
}
