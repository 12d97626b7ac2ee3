package io.moslora.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moslora.cli.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SdxlPipelineConfigTest {
    @TempDir Path dir;

    @Test
    void realSdxlFolderFitsTogether() {
        SdxlPipelineConfig c = SdxlPipelineConfig.load(Fixtures.config("sdxl-base-1.0"));
        assertThat(c.textEncoder().hiddenSize() + c.textEncoder2().hiddenSize()).isEqualTo(2048);
        assertThat(c.textEncoder2().projectionDim() + 6 * c.unet().additionTimeEmbedDim()).isEqualTo(2816);
        assertThat(c.vae().scalingFactor()).isEqualTo(0.13025);
        assertThat(c.scheduler().className()).isEqualTo("EulerDiscreteScheduler");
        // 1024-pixel images become 128x128 latents: the UNet's sample_size.
        assertThat(c.vae().sampleSize() / c.vae().downsampleFactor()).isEqualTo(c.unet().sampleSize());
    }

    @Test
    void tinySetWritesAsAFolderAndLoadsBack() {
        SdxlPipelineConfig tiny = SdxlPipelineConfig.tiny();
        tiny.write(dir);
        SdxlPipelineConfig again = SdxlPipelineConfig.load(dir);
        assertThat(again).usingRecursiveComparison().ignoringFields("scheduler.file").isEqualTo(tiny);
    }

    @Test
    void mismatchedPartsNameTheFieldAndMissingPartsTheFile() throws Exception {
        SdxlPipelineConfig.tiny().write(dir);
        Path unet = dir.resolve("unet/config.json");
        Files.writeString(unet, Files.readString(unet).replace("\"cross_attention_dim\" : [ 96, 96 ]", "\"cross_attention_dim\" : 80"));
        assertThatThrownBy(() -> SdxlPipelineConfig.load(dir)).isInstanceOf(UserError.class)
                .hasMessage(unet + ": field cross_attention_dim: 80 does not match the text encoders' hidden sizes 32 + 64");
        Files.delete(dir.resolve("vae/config.json"));
        assertThatThrownBy(() -> SdxlPipelineConfig.load(dir))
                .hasMessageStartingWith(dir.resolve("vae/config.json") + ": no such file; ");
    }
}
