package io.moslora.sdxl.train;

import ai.djl.ndarray.NDManager;
import io.moslora.cli.UserError;
import io.moslora.engine.Seeds;
import io.moslora.sdxl.generate.GenerationSettings;
import io.moslora.sdxl.generate.PngFiles;
import io.moslora.sdxl.generate.SdxlGenerator;
import io.moslora.sdxl.model.SdxlModels;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;

/**
 * The class images of prior preservation. As diffusers' script: when {@code --class-dir} holds fewer images than
 * asked for, the base model (no adapter yet) makes the rest from the class prompt, and the first N images are
 * used. Differences, on purpose: only image files count (not every file in the folder); new images are PNG at
 * the training resolution, named {@code class-NNNNN.png}, written atomically (a killed run leaves whole images and
 * the next one makes only what is still missing); each image has its own seed, and its crop and flip depend only on
 * the run's seed and the file's name, so a run that found the images ready trains exactly as the run that made them.
 */
public final class ClassImages {
    /** What prepare found and did. */
    public record Loaded(List<InstanceImage> images, int generated) {}

    private ClassImages() {}

    public static Loaded prepare(PriorPreservation p, int resolution, boolean centerCrop, boolean randomFlip, long runSeed,
            SdxlModels models, NDManager manager, boolean progress) {
        Path dir = p.classDir();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UserError(dir + ": --class-dir is a file; give a folder (it is created if missing)");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserError(dir + ": cannot create --class-dir (" + e.getMessage() + ")");
        }
        List<Path> existing = imageFiles(dir);
        List<InstanceImage> images = new ArrayList<>();
        // the existing images first: a bad one fails the run before minutes of generation
        for (Path f : existing.subList(0, Math.min(existing.size(), p.numClassImages()))) {
            images.add(load(f, resolution, centerCrop, randomFlip, runSeed));
        }
        int missing = p.numClassImages() - images.size();
        if (missing > 0) {
            for (Path f : generate(p, missing, existing.size(), resolution, runSeed, models, manager, progress)) {
                images.add(load(f, resolution, centerCrop, randomFlip, runSeed));
            }
        }
        images.sort(Comparator.comparing(InstanceImage::name));
        return new Loaded(images, Math.max(missing, 0));
    }

    /** The .jpg/.jpeg/.png files of {@code dir}, by name. */
    static List<Path> imageFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)$"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UserError(dir + ": cannot list --class-dir (" + e.getMessage() + ")");
        }
    }

    private static List<Path> generate(PriorPreservation p, int count, int firstIndex, int resolution, long runSeed,
            SdxlModels models, NDManager manager, boolean progress) {
        // seeds fixed up front: the generator reseeds the global generators for every image
        Seeds.seed(runSeed);
        long[] seeds = new long[count];
        for (int i = 0; i < count; i++) {
            seeds[i] = Seeds.random("dreambooth.class-image." + (firstIndex + i)).nextLong();
        }
        SdxlGenerator generator = new SdxlGenerator(models);
        List<Path> written = new ArrayList<>();
        try (ProgressBar bar = progress ? new ProgressBar("class images", (long) count * p.samplingSteps()) : null) {
            int index = firstIndex;
            for (int i = 0; i < count; i++) {
                Path file;
                do {
                    file = p.classDir().resolve(String.format(Locale.ROOT, "class-%05d.png", index++));
                } while (Files.exists(file));
                GenerationSettings s = new GenerationSettings(p.samplingSteps(), 5.0, "euler", resolution, resolution,
                        seeds[i], "");
                BufferedImage image = generator.generate(p.classPrompt(), s, manager, step -> {
                    if (bar != null) bar.step();
                });
                Map<String, String> text = new LinkedHashMap<>();
                text.put("prompt", p.classPrompt());
                text.putAll(s.asText());
                text.put("made_for", "DreamBooth prior preservation (base model, no adapter)");
                PngFiles.write(file, image, text);
                written.add(file);
            }
        }
        return written;
    }

    private static InstanceImage load(Path file, int resolution, boolean centerCrop, boolean randomFlip, long runSeed) {
        Random rng = new Random(runSeed * 0x9E3779B97F4A7C15L ^ file.getFileName().toString().hashCode());
        try {
            return InstanceImage.load(file, resolution, centerCrop, randomFlip && rng.nextBoolean(), rng);
        } catch (UserError e) {
            throw new UserError("--class-dir: " + e.getMessage(), e);
        }
    }
}
