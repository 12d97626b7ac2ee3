package io.moslora.eval.human;

import io.moslora.cli.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The images one system generated, in the official MoSLoRA layout {@code output_images/{subject}/{prompt}/{name}.jpg}
 * (the {@code output_images} level may be the folder given itself). The prompt is the prompt folder's name.
 *
 * @param root the folder holding the subject folders
 * @param imagesByPrompt subject, then prompt, then that prompt folder's images of this system
 */
public record SystemLayout(Path root, Map<String, Map<String, List<Path>>> imagesByPrompt) {

    /**
     * Scans a system folder. {@code onlyName}, when present, keeps only images with that file name stem (for the
     * official code, which puts {@code lora.jpg} and {@code lora-mixer.jpg} in the same prompt folder).
     */
    public static SystemLayout scan(Path systemDir, Optional<String> onlyName, String option) {
        if (!Files.isDirectory(systemDir)) {
            throw new UserError(option + " " + systemDir + ": not a folder; give the folder holding output_images/"
                    + "{subject}/{prompt}/ of that system");
        }
        Path root = Files.isDirectory(systemDir.resolve("output_images")) ? systemDir.resolve("output_images") : systemDir;
        Map<String, Map<String, List<Path>>> bySubject = new LinkedHashMap<>();
        for (Path subject : ImageFiles.subfolders(root)) {
            Map<String, List<Path>> byPrompt = new LinkedHashMap<>();
            for (Path prompt : ImageFiles.subfolders(subject)) {
                List<Path> images = new ArrayList<>();
                for (Path image : ImageFiles.list(prompt)) {
                    if (onlyName.isEmpty() || ImageFiles.stem(image).equals(onlyName.get())) {
                        images.add(image);
                    }
                }
                if (!images.isEmpty()) {
                    byPrompt.put(prompt.getFileName().toString(), List.copyOf(images));
                }
            }
            if (!byPrompt.isEmpty()) {
                bySubject.put(subject.getFileName().toString(), byPrompt);
            }
        }
        if (bySubject.isEmpty()) {
            throw new UserError(option + " " + systemDir + ": no images found as " + root
                    + "/{subject}/{prompt}/" + onlyName.map(n -> n + ".jpg|png").orElse("*.jpg|png")
                    + "; check the folder" + (onlyName.isPresent() ? " and the image name" : ""));
        }
        return new SystemLayout(root, bySubject);
    }
}
