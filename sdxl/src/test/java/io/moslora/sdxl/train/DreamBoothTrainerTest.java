package io.moslora.sdxl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.MixerInit;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SharedData;
import io.moslora.nn.Parameter;
import io.moslora.sdxl.lora.SdxlComponent;
import io.moslora.sdxl.model.SdxlModels;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tiny DreamBooth path on the real cat photos (16-pixel crops, 8×8 latents). */
class DreamBoothTrainerTest {
    private static final Path CAT = SharedData.require("dreambooth/cat");

    private static DreamBoothOptions options(Path out, long steps, int checkpointEvery, boolean resume) {
        return new DreamBoothOptions(CAT, "a photo of ikat cat", AdapterKind.MOSLORA, 4, MixerInit.KAIMING,
                DreamBoothOptions.UNET_ATTENTION, 16, true, false, 1e-3, 1, 1, steps, checkpointEvery, resume, 7, null,
                out, false);
    }

    private static DreamBoothTrainer.Result train(DreamBoothOptions o) {
        try (NDManager m = NDManager.newBaseManager()) {
            return DreamBoothTrainer.train(SdxlModels.tiny(0, m), o, m);
        }
    }

    @Test
    void killedAndResumedRunEndsWithTheSameAdapterAndWritesEveryFile(@TempDir Path dir) {
        DreamBoothTrainer.Result straight = train(options(dir.resolve("a"), 3, 0, false));
        assertThat(straight.adaptedModules()).contains("down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k",
                "mid_block.attentions.0.transformer_blocks.0.attn1.to_out.0");
        assertThat(straight.adaptedModules()).allMatch(p -> p.matches(".*\\.(to_q|to_k|to_v|to_out\\.0)$"));
        // a run of 2 steps checkpointed after step 1, then a new one resumes from step 1 and runs to 3
        train(options(dir.resolve("b"), 2, 1, false));
        DreamBoothTrainer.Result resumed = train(options(dir.resolve("b"), 3, 1, true));
        assertThat(resumed.training().stepsRun()).isEqualTo(2);
        assertThat(bytes(dir.resolve("b/adapter/adapter_model.safetensors")))
                .isEqualTo(bytes(dir.resolve("a/adapter/adapter_model.safetensors")));
        for (String f : new String[] {"adapter/adapter_config.json", "lora/adapter_model.safetensors", "metrics.jsonl",
                "loss.png", SdxlLoraFiles.DIFFUSERS_FILE, SdxlLoraFiles.KOHYA_FILE}) {
            assertThat(dir.resolve("a").resolve(f)).isRegularFile();
        }
        try (SafetensorsFile diffusers = SafetensorsFile.open(dir.resolve("a").resolve(SdxlLoraFiles.DIFFUSERS_FILE));
                SafetensorsFile kohya = SafetensorsFile.open(dir.resolve("a").resolve(SdxlLoraFiles.KOHYA_FILE));
                SafetensorsFile plain = SafetensorsFile.open(dir.resolve("a/lora/adapter_model.safetensors"))) {
            String module = "down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q";
            // diffusers' DreamBooth script renames the UNet's attention factors to lora.down / lora.up
            assertThat(diffusers.names()).contains("unet." + module + ".lora.down.weight", "unet." + module + ".lora.up.weight");
            // kohya: the SGM name (tiny: conv_in, resnet, downsampler, then input_blocks.3 = resnet + transformer)
            String k = "lora_unet_input_blocks_3_1_transformer_blocks_0_attn1_to_q";
            assertThat(kohya.names()).contains(k + ".lora_down.weight", k + ".lora_up.weight", k + ".alpha");
            assertThat(kohya.info(k + ".alpha").shape()).isEmpty();
            assertThat(kohya.rawBytes(k + ".alpha").order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat(0)).isEqualTo(4f);
            // renamed, not recomputed: the plain LoRA's (mixer folded into A) bytes exactly
            assertThat(kohya.rawBytes(k + ".lora_down.weight"))
                    .isEqualTo(plain.rawBytes("base_model.model." + module + ".lora_A.weight"));
            assertThat(diffusers.rawBytes("unet." + module + ".lora.up.weight"))
                    .isEqualTo(plain.rawBytes("base_model.model." + module + ".lora_B.weight"));
            assertThat(diffusers.names()).noneMatch(n -> n.contains("lora_AB") || n.startsWith("text_encoder"));
        }
        assertThat(dir.resolve("a/adapter/text_encoder")).doesNotExist(); // text encoders frozen by default
    }

    @Test
    void textEncoderTrainingMovesOnlyAdaptersAtTheirOwnRateAndKeepsEveryBaseWeightBitIdentical(@TempDir Path dir) {
        DreamBoothOptions o = new DreamBoothOptions(CAT, "a photo of ikat cat", AdapterKind.LORA, 4, MixerInit.KAIMING,
                DreamBoothOptions.UNET_ATTENTION, 16, true, false, 1e-4, 1, 1, 1, 0, false, 7, null, dir, false);
        try (NDManager m = NDManager.newBaseManager()) {
            SdxlModels models = SdxlModels.tiny(0, m);
            Map<Parameter, float[]> base = new IdentityHashMap<>();
            for (SdxlComponent c : SdxlComponent.values()) {
                c.module(models).distinctParameters().forEach(p -> base.put(p, p.array().toFloatArray()));
            }
            models.vae().distinctParameters().forEach(p -> base.put(p, p.array().toFloatArray()));
            DreamBoothTrainer.train(models, o, new TextEncoderTraining(true, 2.5e-5), m);
            base.forEach((p, values) -> assertThat(p.array().toFloatArray()).isEqualTo(values));
            // one AdamW step moves each B entry (zero before) by lr·g/(|g| + eps): the largest move is the group's lr
            assertThat(largestB(models.unet())).isCloseTo(1e-4, within(1e-9));
            assertThat(largestB(models.text().encoder1())).isCloseTo(2.5e-5, within(1e-9));
            assertThat(largestB(models.text().encoder2())).isCloseTo(2.5e-5, within(1e-9));
            for (SdxlComponent c : SdxlComponent.values()) {
                assertThat(c.module(models).trainableParameters().keySet()).isNotEmpty()
                        .allMatch(k -> k.contains(".lora_A.") || k.contains(".lora_B."));
            }
            assertThat(models.text().encoder2().trainableParameters()).containsKey(
                    "text_model.encoder.layers.1.self_attn.out_proj.lora_B.weight");
        }
        assertThat(dir.resolve("adapter/text_encoder/adapter_config.json")).isRegularFile();
        try (SafetensorsFile diffusers = SafetensorsFile.open(dir.resolve(SdxlLoraFiles.DIFFUSERS_FILE));
                SafetensorsFile kohya = SafetensorsFile.open(dir.resolve(SdxlLoraFiles.KOHYA_FILE));
                SafetensorsFile te2 = SafetensorsFile.open(dir.resolve("adapter/text_encoder_2/adapter_model.safetensors"))) {
            String module = "text_model.encoder.layers.0.self_attn.q_proj";
            assertThat(diffusers.rawBytes("text_encoder_2." + module + ".lora_linear_layer.up.weight"))
                    .isEqualTo(te2.rawBytes("base_model.model." + module + ".lora_B.weight"));
            assertThat(kohya.rawBytes("lora_te2_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight"))
                    .isEqualTo(te2.rawBytes("base_model.model." + module + ".lora_B.weight"));
            assertThat(kohya.names()).contains("lora_te1_text_model_encoder_layers_1_self_attn_out_proj.alpha");
        }
    }

    @Test
    void aTextEncoderRunKilledAndResumedEndsWithTheSameAdaptersAndALaterFrozenRunDropsThem(@TempDir Path dir) {
        TextEncoderTraining te = new TextEncoderTraining(true, 5e-5);
        train(withLr(options(dir.resolve("a"), 2, 0, false)), te);
        // killed after the checkpoint of step 1 (the run that writes it also ends), resumed to step 2
        train(withLr(options(dir.resolve("b"), 2, 1, false)), te);
        deleteFinalOutputs(dir.resolve("b"));
        DreamBoothTrainer.Result resumed = train(withLr(options(dir.resolve("b"), 2, 1, true)), te);
        assertThat(resumed.training().stepsRun()).isEqualTo(1);
        for (String f : new String[] {"adapter/adapter_model.safetensors", "adapter/text_encoder/adapter_model.safetensors",
                "lora/text_encoder_2/adapter_model.safetensors", SdxlLoraFiles.KOHYA_FILE}) {
            assertThat(bytes(dir.resolve("b").resolve(f))).as(f).isEqualTo(bytes(dir.resolve("a").resolve(f)));
        }
        train(withLr(options(dir.resolve("b"), 1, 0, false)), TextEncoderTraining.OFF);
        assertThat(dir.resolve("b/adapter/text_encoder")).doesNotExist();
        assertThat(dir.resolve("b/lora/text_encoder_2")).doesNotExist();
    }

    private static void deleteFinalOutputs(Path run) {
        try {
            Files.delete(run.resolve(SdxlLoraFiles.KOHYA_FILE));
            Files.delete(run.resolve("adapter/text_encoder/adapter_model.safetensors"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static DreamBoothOptions withLr(DreamBoothOptions o) {
        return new DreamBoothOptions(o.instanceDir(), o.instancePrompt(), o.adapter(), o.rank(), o.mixerInit(), o.targets(),
                o.resolution(), o.centerCrop(), o.randomFlip(), 1e-4, o.batch(), o.gradAccum(), o.steps(),
                o.checkpointEvery(), o.resume(), o.seed(), o.snrGamma(), o.outDir(), o.progress());
    }

    private static DreamBoothTrainer.Result train(DreamBoothOptions o, TextEncoderTraining te) {
        try (NDManager m = NDManager.newBaseManager()) {
            return DreamBoothTrainer.train(SdxlModels.tiny(0, m), o, te, m);
        }
    }

    private static double largestB(io.moslora.nn.Module network) {
        double max = 0;
        for (var e : network.namedParameters().entrySet()) {
            if (e.getKey().endsWith(".lora_B.weight")) {
                for (float v : e.getValue().array().toFloatArray()) max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }

    @Test
    void epochsVisitEveryPhotoOnce() {
        for (int epoch = 0; epoch < 3; epoch++) {
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (int i = 0; i < 5; i++) {
                seen.add(DreamBoothTrainer.order(5, epoch * 5L + i, 7));
            }
            assertThat(seen).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        }
    }

    @Test
    void photosAreCroppedToSquaresWithTheirTimeIds() {
        var images = InstanceImage.loadAll(CAT, 16, true, false, new java.util.Random(0));
        assertThat(images).hasSize(5);
        InstanceImage first = images.get(0);
        assertThat(first.name()).isEqualTo("00.jpg");
        assertThat(first.pixels()).hasSize(3 * 16 * 16);
        for (float p : first.pixels()) {
            assertThat(p).isBetween(-1f, 1f);
        }
        var ids = first.timeIds();
        assertThat(ids.targetHeight()).isEqualTo(16);
        assertThat(Math.min(ids.originalHeight(), ids.originalWidth())).isGreaterThan(16);
        // centre crop of the resized photo: one of the offsets is 0, the other half the overhang
        assertThat(Math.min(ids.cropTop(), ids.cropLeft())).isZero();
    }

    private static ByteBuffer bytes(Path file) {
        try {
            return ByteBuffer.wrap(java.nio.file.Files.readAllBytes(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
