package io.moslora.sdxl.train;

import ai.djl.ndarray.NDManager;
import io.moslora.sdxl.generate.GenerationSettings;
import io.moslora.sdxl.generate.PngFiles;
import io.moslora.sdxl.generate.SdxlGenerator;
import io.moslora.sdxl.model.SdxlModels;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes one round of validation images, {@code {out}/validation/step-NNNNN/{k}.png} plus {@code grid.png}, with
 * the adapter as it is now. Runs between training steps, with the UNet in eval mode and its own seeds and
 * memory; the trainer reseeds before the next step, so training does not see it.
 */
final class ValidationImages {
    private ValidationImages() {}

    static Path folder(Path outDir, long step) {
        return outDir.resolve("validation").resolve(String.format(Locale.ROOT, "step-%05d", step));
    }

    static void write(ValidationSettings v, long step, int resolution, long runSeed, SdxlModels models, Path outDir,
            NDManager root) {
        Path dir = folder(outDir, step);
        SdxlGenerator generator = new SdxlGenerator(models);
        List<BufferedImage> images = new ArrayList<>();
        models.unet().train(false);
        try (NDManager m = root.newSubManager()) {
            for (int k = 0; k < v.numImages(); k++) {
                GenerationSettings s = v.image(k, resolution, runSeed);
                BufferedImage image = generator.generate(v.prompt(), s, m, i -> {});
                Map<String, String> text = new LinkedHashMap<>();
                text.put("prompt", v.prompt());
                text.putAll(s.asText());
                text.put("training_step", Long.toString(step));
                PngFiles.write(dir.resolve(String.format(Locale.ROOT, "%03d.png", k)), image, text);
                images.add(image);
            }
        }
        PngFiles.write(dir.resolve("grid.png"), PngFiles.grid(images, (int) Math.ceil(Math.sqrt(images.size()))),
                Map.of("prompt", v.prompt(), "training_step", Long.toString(step)));
    }
}
