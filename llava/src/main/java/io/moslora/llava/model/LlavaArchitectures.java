package io.moslora.llava.model;

import io.moslora.config.ClipVisionConfig;
import io.moslora.config.DecoderConfig;
import io.moslora.config.HfConfig;
import io.moslora.config.LlavaConfig;
import io.moslora.nn.ArchitectureProvider;
import io.moslora.nn.Module;
import java.util.Optional;

/** The architectures of the llava module, for tools that build models from a config (e.g. {@code params}). */
public final class LlavaArchitectures implements ArchitectureProvider {
    @Override
    public Optional<Module> build(HfConfig config) {
        if (config instanceof DecoderConfig d) {
            return Optional.of(new CausalLM(d));
        }
        if (config instanceof LlavaConfig l) {
            return Optional.of(new LlavaModel(l));
        }
        if (config instanceof ClipVisionConfig v) {
            return Optional.of(new ClipVisionTower(v));
        }
        return Optional.empty();
    }
}
