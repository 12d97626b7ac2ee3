package io.moslora.sdxl.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.moslora.cli.UserError;
import io.moslora.engine.Seeds;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny SDXL written under diffusers' layout and key names, loaded back strictly: the same numbers come out. */
class SdxlModelsTest {
    @Test
    void saveAndLoadBackGiveIdenticalOutputs(@TempDir Path dir) {
        try (NDManager m = NDManager.newBaseManager()) {
            SdxlModels saved = TinySdxl.create(21, m);
            saved.save(dir);
            assertThat(dir.resolve("unet/diffusion_pytorch_model.safetensors")).isRegularFile();
            assertThat(dir.resolve("text_encoder_2/model.safetensors")).isRegularFile();
            try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("unet/diffusion_pytorch_model.safetensors"))) {
                assertThat(f.names()).contains("down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.weight",
                        "add_embedding.linear_2.bias", "time_embedding.linear_1.weight");
            }
            SdxlModels loaded = SdxlModels.load(dir, m, DataType.FLOAT32);

            PromptEmbeddings pe = saved.text().encode(List.of("a photo of ikat cat", "a dog"), m);
            PromptEmbeddings pl = loaded.text().encode(List.of("a photo of ikat cat", "a dog"), m);
            assertThat(pe.tokens().getShape()).isEqualTo(new Shape(2, 77, 96));
            assertThat(pe.pooled().getShape()).isEqualTo(new Shape(2, 64));
            assertThat(pl.tokens().toFloatArray()).containsExactly(pe.tokens().toFloatArray());
            assertThat(pl.pooled().toFloatArray()).containsExactly(pe.pooled().toFloatArray());

            Seeds.seed(3);
            NDArray latents = m.randomNormal(new Shape(2, 4, 8, 8));
            NDArray t = m.create(new float[] {999, 1});
            NDArray timeIds = m.create(new float[] {16, 16, 0, 0, 16, 16, 16, 16, 0, 0, 16, 16}, new Shape(2, 6));
            assertThat(loaded.unet().forward(latents, t, pl.tokens(), pl.pooled(), timeIds).toFloatArray())
                    .containsExactly(saved.unet().forward(latents, t, pe.tokens(), pe.pooled(), timeIds).toFloatArray());
            assertThat(loaded.vae().decode(latents).toFloatArray()).containsExactly(saved.vae().decode(latents).toFloatArray());
        }
    }

    @Test
    void strictLoadNamesTheFileAndTheMissingKey(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TinySdxl.create(21, m).save(dir);
            Path vae = dir.resolve("vae/diffusion_pytorch_model.safetensors");
            SafetensorsWriter w = new SafetensorsWriter();
            try (SafetensorsFile f = SafetensorsFile.open(vae)) {
                for (String name : f.names()) {
                    if (!name.equals("decoder.conv_out.bias")) {
                        w.copyFrom(f, name);
                    }
                }
                Path trimmed = dir.resolve("trimmed.safetensors");
                w.write(trimmed);
            }
            Files.move(dir.resolve("trimmed.safetensors"), vae, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThatThrownBy(() -> SdxlModels.load(dir, m, DataType.FLOAT32)).isInstanceOf(UserError.class)
                    .hasMessageContaining(vae.toString()).hasMessageContaining("decoder.conv_out.bias");
            Files.delete(vae);
            assertThatThrownBy(() -> SdxlModels.load(dir, m, DataType.FLOAT32)).isInstanceOf(UserError.class)
                    .hasMessageContaining("vae").hasMessageContaining("diffusion_pytorch_model.safetensors");
        }
    }

    @Test
    void olderTextEncoderFilesWithPositionIdsStillLoad(@TempDir Path dir) {
        try (NDManager m = NDManager.newBaseManager()) {
            SdxlModels models = TinySdxl.create(21, m);
            Path te = dir.resolve("model.safetensors");
            SafetensorsWriter w = new SafetensorsWriter();
            models.text().encoder1().stateDict().forEach(w::add);
            w.add("text_model.embeddings.position_ids", m.arange(0, 77, 1, DataType.INT64).reshape(1, 77));
            w.write(te);
            ClipTextModel reloaded = new ClipTextModel(models.config().textEncoder());
            SdxlModels.loadInto(reloaded, te, m, DataType.FLOAT32);
            NDArray ids = m.create(new long[] {49406, 320, 49407}, new Shape(1, 3));
            assertThat(reloaded.forward(ids).pooled().toFloatArray())
                    .containsExactly(models.text().encoder1().forward(ids).pooled().toFloatArray());
        }
    }
}
