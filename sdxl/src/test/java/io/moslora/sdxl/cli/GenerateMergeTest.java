package io.moslora.sdxl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.LoraLinear;
import io.moslora.adapters.PeftAdapters;
import io.moslora.cli.Cli;
import io.moslora.engine.Seeds;
import io.moslora.sdxl.generate.PngFiles;
import io.moslora.sdxl.lora.PeftLoraFolders;
import io.moslora.sdxl.lora.SdxlComponent;
import io.moslora.sdxl.model.SdxlModels;
import io.moslora.sdxl.train.TextEncoderTraining;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** generate --lora merges the adapters into the base weights for sampling; --no-merge keeps them apart: same images. */
class GenerateMergeTest {
    @Test
    void mergedSamplingGivesTheUnmergedImageWithinRounding(@TempDir Path dir) throws Exception {
        Path adapter = dir.resolve("adapter");
        try (NDManager m = NDManager.newBaseManager()) {
            SdxlModels models = SdxlModels.tiny(0, m);
            Seeds.seed(5);
            AdapterConfig unet = AdapterConfig.of(AdapterKind.MOSLORA, 4, 4, List.of("to_q", "to_k", "to_v", "to_out.0"));
            AdapterConfig text = AdapterConfig.of(AdapterKind.MOSLORA, 4, 4, TextEncoderTraining.CLIP_ATTENTION);
            for (SdxlComponent c : SdxlComponent.values()) {
                AdapterConfig config = c == SdxlComponent.UNET ? unet : text;
                AdapterInjector.inject(c.module(models), config, m);
                // B starts at zero; values make every adapter (UNet and both text encoders) change the image
                c.module(models).namedModules().values().stream().filter(x -> x instanceof LoraLinear).map(x -> (LoraLinear) x)
                        .forEach(l -> l.loraB().weight().set(m.randomNormal(0, 0.5f, l.loraB().weight().array().getShape(),
                                DataType.FLOAT32)));
                PeftAdapters.save(c.module(models), config, PeftLoraFolders.folder(adapter, c));
            }
        }
        String[] lora = {"--lora", adapter.toString(), "--lora-scale", "0.7"};
        BufferedImage base = generate(dir.resolve("base"));
        BufferedImage merged = generate(dir.resolve("merged"), lora);
        BufferedImage unmerged = generate(dir.resolve("unmerged"), concat(lora, "--no-merge"));

        assertThat(merged.getWidth()).isEqualTo(unmerged.getWidth()).isEqualTo(32);
        assertThat(merged.getHeight()).isEqualTo(unmerged.getHeight()).isEqualTo(16);
        assertThat(merged.getType()).isEqualTo(unmerged.getType());
        // W + ΔW folded once vs base and update added per step: equal up to float rounding, at most 2/255 per channel
        assertThat(maxChannelDifference(merged, unmerged)).isLessThanOrEqualTo(2);
        // while the adapter itself moves the image far more than that, so the comparison can fail
        assertThat(maxChannelDifference(unmerged, base)).isGreaterThan(20);

        Map<String, String> mergedText = PngFiles.readText(dir.resolve("merged/000.png"));
        Map<String, String> unmergedText = PngFiles.readText(dir.resolve("unmerged/000.png"));
        assertThat(mergedText).containsEntry("lora_merged", "true").containsEntry("lora_scale", "0.7");
        assertThat(unmergedText).containsEntry("lora_merged", "false");
        mergedText.remove("lora_merged");
        unmergedText.remove("lora_merged");
        assertThat(mergedText).containsExactlyEntriesOf(unmergedText);
        assertThat(PngFiles.readText(dir.resolve("base/000.png"))).doesNotContainKey("lora_merged");

        StringWriter err = new StringWriter();
        assertThat(Cli.run(new SdxlCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err), "generate",
                "--model", "tiny", "--prompt", "x", "--no-merge", "--out", dir.resolve("bad").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("--no-merge is only used with --lora");
    }

    private static BufferedImage generate(Path out, String... extra) throws Exception {
        String[] args = concat(new String[] {"generate", "--model", "tiny", "--prompt", "a photo of ikat cat", "--steps", "3",
                "--width", "32", "--height", "16", "--seed", "3", "--no-progress", "--out", out.toString()}, extra);
        StringWriter err = new StringWriter();
        assertThat(Cli.run(new SdxlCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err), args))
                .as(err.toString()).isZero();
        return ImageIO.read(out.resolve("000.png").toFile());
    }

    private static int maxChannelDifference(BufferedImage a, BufferedImage b) {
        int max = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y), q = b.getRGB(x, y);
                for (int shift = 0; shift < 24; shift += 8) {
                    max = Math.max(max, Math.abs(((p >> shift) & 0xff) - ((q >> shift) & 0xff)));
                }
            }
        }
        return max;
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
