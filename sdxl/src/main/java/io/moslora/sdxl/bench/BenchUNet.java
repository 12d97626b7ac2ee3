package io.moslora.sdxl.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.config.HfConfig;
import io.moslora.config.HfConfigs;
import io.moslora.config.TinyConfigs;
import io.moslora.config.UNet2DConditionConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The UNets {@code sdxl bench} times. {@code small}: an SDXL-shaped UNet (three levels, the first without
 * attention, more transformer layers at the deepest level, linear projections, text_time conditioning) of
 * 2.7 M parameters on 32×32 latents, shipped as {@code io/moslora/sdxl/bench/small-unet.json}; {@code tiny}: the
 * embedded tiny SDXL's UNet (1 M parameters, 16×16 latents), for tests.
 */
public enum BenchUNet {
    SMALL,
    TINY;

    public UNet2DConditionConfig config() {
        if (this == TINY) {
            return TinyConfigs.load("tiny-unet", UNet2DConditionConfig.class);
        }
        Path source = Path.of("io/moslora/sdxl/bench/small-unet.json");
        try (InputStream in = BenchUNet.class.getResourceAsStream("small-unet.json")) {
            if (in == null) throw new IllegalStateException("missing resource " + source);
            HfConfig c = HfConfigs.parse(new ObjectMapper().readTree(in), source);
            return (UNet2DConditionConfig) c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
