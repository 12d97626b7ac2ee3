package io.moslora.sdxl.scheduler;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.config.SchedulerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * SDXL base 1.0's {@code scheduler/scheduler_config.json}, shipped as a resource: the schedule SDXL was trained
 * with (scaled_linear 0.00085..0.012, ε, "leading" spacing with offset 1), used when no model folder says otherwise.
 */
public final class SdxlSchedulerConfig {
    private static final String RESOURCE = "sdxl-base-1.0.json";

    private SdxlSchedulerConfig() {}

    public static SchedulerConfig base() {
        Path source = Path.of("io/moslora/sdxl/scheduler/" + RESOURCE);
        try (InputStream in = SdxlSchedulerConfig.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("missing resource " + source);
            return SchedulerConfig.fromJson(new ObjectMapper().readTree(in), source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
