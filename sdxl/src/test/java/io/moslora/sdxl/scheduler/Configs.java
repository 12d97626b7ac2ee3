package io.moslora.sdxl.scheduler;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moslora.config.SchedulerConfig;
import java.nio.file.Path;

/** SDXL's scheduler config and variants of it with some fields changed, as a user would edit the file. */
final class Configs {
    private Configs() {}

    static SchedulerConfig sdxl() {
        return SdxlSchedulerConfig.base();
    }

    /** SDXL's config with {@code fieldValuePairs} (name, value, name, value …) set. */
    static SchedulerConfig sdxlWith(Object... fieldValuePairs) {
        ObjectNode file = sdxl().file();
        for (int i = 0; i < fieldValuePairs.length; i += 2) {
            String name = (String) fieldValuePairs[i];
            Object v = fieldValuePairs[i + 1];
            if (v instanceof String s) file.put(name, s);
            else if (v instanceof Boolean b) file.put(name, b);
            else if (v instanceof Integer n) file.put(name, n);
            else if (v instanceof Double d) file.put(name, d);
            else throw new IllegalArgumentException(name);
        }
        return SchedulerConfig.fromJson(file, Path.of("scheduler_config.json"));
    }
}
