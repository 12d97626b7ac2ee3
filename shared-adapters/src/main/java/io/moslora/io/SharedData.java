package io.moslora.io;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the read-only {@code shared/data} folder that sits beside the project checkout (third-party test
 * material: CLIP BPE merges, DreamBooth photos). {@code MOSLORA_SHARED_DATA} overrides the search.
 */
public final class SharedData {
    private SharedData() {}

    /** The shared data folder, or empty when this machine has none. */
    public static java.util.Optional<Path> root() {
        String env = System.getenv("MOSLORA_SHARED_DATA");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            return Files.isDirectory(p) ? java.util.Optional.of(p) : java.util.Optional.empty();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("data");
            if (Files.isDirectory(candidate)) {
                return java.util.Optional.of(candidate);
            }
        }
        return java.util.Optional.empty();
    }

    /** A file under the shared data folder; a clear error if it is not there. */
    public static Path require(String relative) {
        Path root = root().orElseThrow(() -> new io.moslora.cli.UserError(
                "shared data folder not found (looked for shared/data above " + Path.of("").toAbsolutePath()
                        + "); set MOSLORA_SHARED_DATA"));
        Path p = root.resolve(relative);
        if (!Files.exists(p)) {
            throw new io.moslora.cli.UserError(p + ": not found in the shared data folder");
        }
        return p;
    }
}
