package io.moslora.sdxl.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.LoraLinear;
import io.moslora.adapters.MixerInit;
import io.moslora.adapters.PeftAdapters;
import io.moslora.cli.UserError;
import io.moslora.config.SdxlPipelineConfig;
import io.moslora.engine.Seeds;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SafetensorsWriter;
import io.moslora.sdxl.generate.GenerationSettings;
import io.moslora.sdxl.generate.SdxlGenerator;
import io.moslora.sdxl.model.SdxlModels;
import io.moslora.sdxl.train.DreamBoothOptions;
import io.moslora.sdxl.train.SdxlLoraFiles;
import io.moslora.sdxl.train.TextEncoderTraining;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny SDXL with adapters on the UNet and both text encoders (B drawn at random, so the adapters change the
 * images), written by {@link SdxlLoraFiles} in every layout and read back from each.
 */
class SdxlLoraFormatsTest {
    private static final SdxlPipelineConfig TINY = SdxlPipelineConfig.tiny();
    private static final GenerationSettings SETTINGS = new GenerationSettings(2, 5.0, "euler", 16, 16, 3, "");

    @TempDir
    static Path dir;
    static Path lora;
    static Path moslora;

    @BeforeAll
    static void writeAdapters() {
        lora = dir.resolve("lora-run");
        moslora = dir.resolve("moslora-run");
        writeRandomAdapters(AdapterKind.LORA, lora);
        writeRandomAdapters(AdapterKind.MOSLORA, moslora);
    }

    private static void writeRandomAdapters(AdapterKind kind, Path out) {
        try (NDManager m = NDManager.newBaseManager()) {
            SdxlModels models = SdxlModels.tiny(0, m);
            Seeds.seed(11);
            Map<SdxlComponent, AdapterConfig> configs = new EnumMap<>(SdxlComponent.class);
            configs.put(SdxlComponent.UNET, config(kind, DreamBoothOptions.UNET_ATTENTION));
            configs.put(SdxlComponent.TEXT_ENCODER, config(kind, TextEncoderTraining.CLIP_ATTENTION));
            configs.put(SdxlComponent.TEXT_ENCODER_2, config(kind, TextEncoderTraining.CLIP_ATTENTION));
            configs.forEach((c, config) -> {
                AdapterInjector.inject(c.module(models), config, m);
                c.module(models).namedModules().values().forEach(module -> {
                    if (module instanceof LoraLinear l) {
                        l.loraB().weight().set(m.randomNormal(0, 0.5f, l.loraB().weight().shape(), DataType.FLOAT32));
                    }
                });
            });
            SdxlLoraFiles.writeAll(models, configs, out);
        }
    }

    private static AdapterConfig config(AdapterKind kind, List<String> targets) {
        return new AdapterConfig(kind, 4, 4, 0.0, targets, null, false, List.of(), false, MixerInit.KAIMING, true,
                List.of(), null, null);
    }

    @Test
    void diffusersFileHasSaveLoraWeightsKeysAndRoundTripsThroughPeftByteForByte() {
        Path file = lora.resolve(SdxlLoraFiles.DIFFUSERS_FILE);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.names()).contains(
                    "unet.down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.lora.down.weight",
                    "unet.mid_block.attentions.0.transformer_blocks.0.attn2.to_out.0.lora.up.weight",
                    "text_encoder.text_model.encoder.layers.0.self_attn.q_proj.lora_linear_layer.down.weight",
                    "text_encoder_2.text_model.encoder.layers.1.self_attn.out_proj.lora_linear_layer.up.weight");
            assertThat(f.names()).allMatch(k -> k.startsWith("unet.") || k.startsWith("text_encoder.")
                            || k.startsWith("text_encoder_2."),
                    "component prefixes").noneMatch(k -> k.contains("lora_A") || k.contains("lora_AB"));
        }
        Path peft = dir.resolve("from-diffusers");
        try (SdxlLora l = SdxlLora.open(file, TINY)) {
            assertThat(l.components()).containsOnlyKeys(SdxlComponent.values());
            PeftLoraFolders.write(l, peft);
        }
        assertSamePeftTensors(peft, lora.resolve(SdxlLoraFiles.ADAPTER_DIR));
        Path again = dir.resolve("again-diffusers.safetensors");
        try (SdxlLora l = SdxlLora.open(peft, TINY)) {
            DiffusersLoraFile.write(l, again);
        }
        assertThat(bytes(again)).isEqualTo(bytes(file));
    }

    @Test
    void kohyaFileHasSgmNamesAlphasAndRoundTripsThroughPeftByteForByte() {
        Path file = lora.resolve(SdxlLoraFiles.KOHYA_FILE);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            String q = "lora_unet_input_blocks_3_1_transformer_blocks_0_attn1_to_q";
            assertThat(f.names()).contains(q + ".lora_down.weight", q + ".lora_up.weight", q + ".alpha",
                    "lora_unet_middle_block_1_transformer_blocks_0_attn2_to_k.lora_down.weight",
                    "lora_unet_output_blocks_1_1_transformer_blocks_0_attn1_to_out_0.lora_up.weight",
                    "lora_te1_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight",
                    "lora_te2_text_model_encoder_layers_1_self_attn_v_proj.alpha");
            assertThat(f.names()).noneMatch(k -> k.contains("down_blocks") || k.contains("up_blocks"));
            assertThat(f.info(q + ".alpha").shape()).isEmpty();
            assertThat(f.rawBytes(q + ".alpha").order(ByteOrder.LITTLE_ENDIAN).getFloat(0)).isEqualTo(4f);
            try (SafetensorsFile peft = SafetensorsFile.open(lora.resolve("adapter/adapter_model.safetensors"))) {
                assertThat(f.rawBytes(q + ".lora_up.weight")).isEqualTo(peft.rawBytes(
                        "base_model.model.down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.lora_B.weight"));
            }
        }
        Path peft = dir.resolve("from-kohya");
        try (SdxlLora l = SdxlLora.open(file, TINY)) {
            PeftLoraFolders.write(l, peft);
        }
        assertSamePeftTensors(peft, lora.resolve(SdxlLoraFiles.ADAPTER_DIR));
        Path again = dir.resolve("again-kohya.safetensors");
        try (SdxlLora l = SdxlLora.open(peft, TINY)) {
            KohyaLoraFile.write(l, SgmUNetNames.of(TINY.unet()), again);
        }
        assertThat(bytes(again)).isEqualTo(bytes(file));
    }

    @Test
    void generationWithTheKohyaOrDiffusersFileEqualsGenerationWithThePeftFolder() {
        int[] base = generate(null);
        int[] peft = generate(lora.resolve(SdxlLoraFiles.ADAPTER_DIR));
        assertThat(peft).isNotEqualTo(base);
        assertThat(generate(lora.resolve(SdxlLoraFiles.KOHYA_FILE))).isEqualTo(peft);
        assertThat(generate(lora.resolve(SdxlLoraFiles.DIFFUSERS_FILE))).isEqualTo(peft);
        // only the text encoders' part: the prompt embedding alone changes the image
        Path textOnly = dir.resolve("text-only");
        try (SdxlLora l = SdxlLora.open(lora.resolve(SdxlLoraFiles.ADAPTER_DIR), TINY)) {
            PeftLoraFolders.write(l, textOnly);
        }
        try {
            Files.delete(textOnly.resolve(PeftAdapters.CONFIG_FILE));
            Files.delete(textOnly.resolve(PeftAdapters.WEIGHTS_FILE));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(generate(textOnly)).isNotEqualTo(base).isNotEqualTo(peft);
    }

    @Test
    void mosloraRunExportsPlainLoraPartsThatKohyaCarriesExactly() {
        try (SafetensorsFile f = SafetensorsFile.open(moslora.resolve("adapter/text_encoder_2/adapter_model.safetensors"))) {
            assertThat(f.names()).contains("base_model.model.text_model.encoder.layers.0.self_attn.k_proj.lora_AB.weight");
        }
        Path plain = moslora.resolve(SdxlLoraFiles.PLAIN_LORA_DIR);
        assertThat(plain.resolve("text_encoder/adapter_config.json")).isRegularFile();
        int[] fromPlain = generate(plain);
        assertThat(generate(moslora.resolve(SdxlLoraFiles.KOHYA_FILE))).isEqualTo(fromPlain);
        try (SdxlLora l = SdxlLora.open(moslora.resolve(SdxlLoraFiles.ADAPTER_DIR), TINY)) {
            assertThatThrownBy(() -> DiffusersLoraFile.write(l, dir.resolve("never.safetensors")))
                    .isInstanceOf(UserError.class).hasMessageContaining("lora_AB").hasMessageContaining("plain LoRA");
        }
        assertThat(dir.resolve("never.safetensors")).doesNotExist();
    }

    @Test
    void kohyaFilesWithDiffusersUNetNamesAreReadToo() {
        // the layout our earlier files (and some converters) wrote: lora_unet_ + diffusers path
        Path file = dir.resolve("diffusers-named-kohya.safetensors");
        SafetensorsWriter w = new SafetensorsWriter();
        List<String> modules;
        try (SdxlLora l = SdxlLora.open(lora.resolve(SdxlLoraFiles.ADAPTER_DIR), TINY)) {
            SdxlLora.Component unet = l.components().get(SdxlComponent.UNET);
            modules = unet.modules();
            for (SdxlLora.Factors f : unet.layers()) {
                String name = "lora_unet_" + f.module().replace('.', '_');
                w.copyFrom(unet.file(), f.a(), name + ".lora_down.weight");
                w.copyFrom(unet.file(), f.b(), name + ".lora_up.weight");
            }
            w.write(file);
        }
        try (SdxlLora l = SdxlLora.open(file, TINY)) {
            assertThat(l.components()).containsOnlyKeys(SdxlComponent.UNET);
            assertThat(l.components().get(SdxlComponent.UNET).modules()).isEqualTo(modules);
            assertThat(l.components().get(SdxlComponent.UNET).config().alpha()).isEqualTo(4.0); // no alpha: α = rank
        }
    }

    @Test
    void aKohyaNameOfNoLayerIsRefusedNamingTheTensor() {
        Path file = dir.resolve("bad-kohya.safetensors");
        new SafetensorsWriter().addFloats("lora_unet_input_blocks_99_1_proj_in.lora_down.weight", new long[] {1, 2},
                new float[] {1, 2}, io.moslora.io.DType.F32).write(file);
        assertThatThrownBy(() -> SdxlLora.open(file, TINY)).isInstanceOf(UserError.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("lora_unet_input_blocks_99_1_proj_in");
    }

    private static int[] generate(Path adapter) {
        try (NDManager m = NDManager.newBaseManager()) {
            SdxlModels models = SdxlModels.tiny(0, m);
            if (adapter != null) {
                try (SdxlLora l = SdxlLora.open(adapter, TINY)) {
                    l.loadInto(models, m);
                }
            }
            BufferedImage img = new SdxlGenerator(models).generate("a photo of ikat cat", SETTINGS, m, i -> {});
            return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        }
    }

    /** Same networks, same keys, same bytes for every tensor. */
    static void assertSamePeftTensors(Path actual, Path expected) {
        for (SdxlComponent c : SdxlComponent.values()) {
            Path a = PeftLoraFolders.folder(actual, c).resolve(PeftAdapters.WEIGHTS_FILE);
            Path e = PeftLoraFolders.folder(expected, c).resolve(PeftAdapters.WEIGHTS_FILE);
            try (SafetensorsFile fa = SafetensorsFile.open(a); SafetensorsFile fe = SafetensorsFile.open(e)) {
                assertThat(fa.names()).as(c.name()).containsExactlyInAnyOrderElementsOf(fe.names());
                for (String k : fe.names()) {
                    assertThat(fa.rawBytes(k)).as(k).isEqualTo(fe.rawBytes(k));
                    assertThat(fa.info(k).dtype()).isEqualTo(fe.info(k).dtype());
                }
            }
        }
    }

    private static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
