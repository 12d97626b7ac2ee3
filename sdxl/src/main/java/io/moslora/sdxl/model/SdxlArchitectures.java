package io.moslora.sdxl.model;

import io.moslora.config.AutoencoderKLConfig;
import io.moslora.config.ClipTextConfig;
import io.moslora.config.HfConfig;
import io.moslora.config.UNet2DConditionConfig;
import io.moslora.nn.ArchitectureProvider;
import io.moslora.nn.Module;
import java.util.Optional;

/** Lets shared tools (the {@code params} command) build SDXL's UNet, VAE and CLIP text encoders from their configs. */
public final class SdxlArchitectures implements ArchitectureProvider {
    @Override
    public Optional<Module> build(HfConfig config) {
        if (config instanceof UNet2DConditionConfig c) return Optional.of(new UNet2DConditionModel(c));
        if (config instanceof AutoencoderKLConfig c) return Optional.of(new AutoencoderKL(c));
        if (config instanceof ClipTextConfig c) return Optional.of(new ClipTextModel(c));
        return Optional.empty();
    }
}
