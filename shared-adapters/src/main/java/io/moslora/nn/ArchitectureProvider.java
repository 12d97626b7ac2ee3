package io.moslora.nn;

import io.moslora.config.HfConfig;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Builds the shape-only module tree for a Hugging Face config. Each pipeline module (llava, sdxl) registers one
 * through {@code META-INF/services}, so tools in this module (the {@code params} command) can build every
 * architecture the project knows without depending on the pipelines.
 */
public interface ArchitectureProvider {
    /** The module for {@code config}, or empty if this provider does not build that kind. */
    Optional<Module> build(HfConfig config);

    /** Asks every registered provider; empty if none knows the config's kind. */
    static Optional<Module> buildAny(HfConfig config) {
        for (ArchitectureProvider p : ServiceLoader.load(ArchitectureProvider.class)) {
            Optional<Module> m = p.build(config);
            if (m.isPresent()) {
                return m;
            }
        }
        return Optional.empty();
    }
}
