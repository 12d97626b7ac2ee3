package io.moslora.config;

import io.moslora.cli.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Tiny model configs shipped inside the jar ({@code io/moslora/config/tiny/NAME.json}) so that pipelines, tests and
 * demos can build the real architectures at toy size on a CPU: 2 layers, widths around 64.
 */
public final class TinyConfigs {
    /** Every shipped name; each is {@code NAME.json} next to this class. */
    public static final List<String> NAMES = List.of(
            "tiny-llama", "tiny-internlm2", "tiny-clip-vision", "tiny-llava",
            "tiny-clip-text", "tiny-clip-text-2", "tiny-unet", "tiny-vae", "tiny-scheduler");

    private TinyConfigs() {}

    public static HfConfig load(String name) {
        if (!NAMES.contains(name)) {
            throw new UserError("unknown tiny config \"" + name + "\"; expected one of " + String.join(", ", NAMES));
        }
        String resource = "tiny/" + name + ".json";
        Path source = Path.of("io/moslora/config/" + resource);
        try (InputStream in = TinyConfigs.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + source);
            return HfConfigs.parse(HfConfigs.readJson(in, source), source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T extends HfConfig> T load(String name, Class<T> type) {
        return HfConfigs.require(load(name), type, Path.of(name + ".json"));
    }
}
