package io.moslora.llava.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moslora.adapters.AdapterKind;
import io.moslora.cli.UserError;
import io.moslora.train.LrSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlavaTrainConfigTest {
    private static final List<String> LLAMA_TARGETS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
            "up_proj", "down_proj");

    @Test
    void llama3MoSLoRAPresetHasThePaperNumbers() {
        LlavaTrainConfig c = LlavaTrainConfig.preset("llava-llama3-8b-moslora", List.of());
        assertThat(c.llmAdapter().kind()).isEqualTo(AdapterKind.MOSLORA);
        assertThat(c.llmAdapter().r()).isEqualTo(64);
        assertThat(c.llmAdapter().alpha()).isEqualTo(128.0);
        assertThat(c.llmAdapter().targets()).isEqualTo(LLAMA_TARGETS);
        assertThat(c.visionAdapter().kind()).isEqualTo(AdapterKind.MOSLORA);
        assertThat(c.visionAdapter().r()).isEqualTo(64);
        assertThat(c.visionAdapter().alpha()).isEqualTo(16.0);
        assertThat(c.lr()).isEqualTo(2e-5);
        assertThat(c.batchSize()).isEqualTo(8);
        assertThat(c.gradAccum()).isEqualTo(2);
        assertCommon(c);
        assertThat(c.llmQuantization()).isEqualTo("none");
        assertThat(c.template()).isEqualTo("llama3_chat");
    }

    @Test
    void internlm2QMoSLoRAPresetHasThePaperNumbers() {
        LlavaTrainConfig c = LlavaTrainConfig.preset("llava-internlm2-7b-qmoslora", List.of());
        assertThat(c.llmQuantization()).isEqualTo("nf4");
        assertThat(c.llmAdapter().kind()).isEqualTo(AdapterKind.MOSLORA);
        assertThat(c.llmAdapter().r()).isEqualTo(512);
        assertThat(c.llmAdapter().alpha()).isEqualTo(256.0);
        assertThat(c.visionAdapter().kind()).isEqualTo(AdapterKind.LORA);
        assertThat(c.visionAdapter().r()).isEqualTo(64);
        assertThat(c.visionAdapter().alpha()).isEqualTo(16.0);
        assertThat(c.lr()).isEqualTo(2e-4);
        assertThat(c.batchSize()).isEqualTo(16);
        assertThat(c.gradAccum()).isEqualTo(1);
        assertCommon(c);
        assertThat(c.template()).isEqualTo("internlm2_chat");
    }

    private static void assertCommon(LlavaTrainConfig c) {
        assertThat(c.epochs()).isEqualTo(1.0);
        assertThat(c.maxSteps()).isZero();
        assertThat(c.warmupRatio()).isEqualTo(0.03);
        assertThat(c.lrSchedule()).isEqualTo(LrSchedule.Kind.COSINE);
        assertThat(c.maxLength()).isEqualTo(1472);
        assertThat(c.maxGradNorm()).isEqualTo(1.0);
        assertThat(c.weightDecay()).isZero();
        assertThat(c.trainProjector()).isTrue();
        // 665,298 samples (llava_v1_5_mix665k) in batches of 16 → ceil(665298/16) = 41,582 steps, 1,248 warm-up
        assertThat(c.totalSteps(665_298)).isEqualTo(41_582);
        assertThat(c.schedule(41_582).warmupSteps()).isEqualTo(1_248);
    }

    @Test
    void tinyPresetResolves() {
        LlavaTrainConfig c = LlavaTrainConfig.preset("tiny", List.of());
        assertThat(c.model()).isEqualTo("tiny");
        assertThat(c.tokenizer()).isEqualTo("demo");
        assertThat(c.llmAdapter().enabled()).isTrue();
        assertThat(c.visionAdapter().enabled()).isTrue();
    }

    @Test
    void userFileStartsFromAPresetAndOverridesWin(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("run.yaml");
        Files.writeString(f, "preset: llava-llama3-8b-moslora\nlr: 1.0e-4\nllm_adapter:\n  r: 16\n");
        LlavaTrainConfig c = LlavaTrainConfig.load(f, List.of("llm_adapter.alpha=32", "vision_adapter.kind=none",
                "batch_size=4"));
        assertThat(c.lr()).isEqualTo(1e-4);
        assertThat(c.llmAdapter().r()).isEqualTo(16);
        assertThat(c.llmAdapter().alpha()).isEqualTo(32.0);
        assertThat(c.llmAdapter().targets()).isEqualTo(LLAMA_TARGETS); // untouched keys of the section stay
        assertThat(c.visionAdapter().enabled()).isFalse();
        assertThat(c.batchSize()).isEqualTo(4);
        assertThat(c.resolved().get("lr").asDouble()).isEqualTo(1e-4);
    }

    @Test
    void jsonFilesWorkToo(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("run.json");
        Files.writeString(f, "{\"preset\": \"tiny\", \"max_steps\": 7}");
        assertThat(LlavaTrainConfig.load(f, List.of()).maxSteps()).isEqualTo(7);
    }

    @Test
    void badValuesNameTheFileAndField(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "preset: tiny\nllm_adapter:\n  r: -3\n");
        assertThatThrownBy(() -> LlavaTrainConfig.load(f, List.of())).isInstanceOf(UserError.class)
                .hasMessageContaining("bad.yaml").hasMessageContaining("llm_adapter.r");
        assertThatThrownBy(() -> LlavaTrainConfig.preset("tiny", List.of("lr=fast"))).isInstanceOf(UserError.class)
                .hasMessageContaining("field lr");
        assertThatThrownBy(() -> LlavaTrainConfig.preset("tiny", List.of("lr_schedule=step")))
                .isInstanceOf(UserError.class).hasMessageContaining("lr_schedule");
        assertThatThrownBy(() -> LlavaTrainConfig.preset("tiny", List.of("nonsense"))).isInstanceOf(UserError.class)
                .hasMessageContaining("key=value");
        assertThatThrownBy(() -> LlavaTrainConfig.load(dir.resolve("missing.yaml"), List.of()))
                .isInstanceOf(UserError.class).hasMessageContaining("missing.yaml");
    }

    @Test
    void precisionAndDeviceDefaultToFp32AutoAndThePaperPresetsUseBf16() {
        LlavaTrainConfig tiny = LlavaTrainConfig.preset("tiny", List.of());
        assertThat(tiny.precision()).isEqualTo(io.moslora.nn.Precision.FP32);
        assertThat(tiny.device()).isEqualTo("auto");
        assertThat(tiny.resolvedJson()).contains("\"precision\" : \"fp32\"", "\"device\" : \"auto\"");
        for (String p : List.of("llava-llama3-8b-moslora", "llava-internlm2-7b-qmoslora")) {
            assertThat(LlavaTrainConfig.preset(p, List.of()).precision()).as(p).isEqualTo(io.moslora.nn.Precision.BF16);
        }
        LlavaTrainConfig set = LlavaTrainConfig.preset("tiny", List.of("precision=FP16", "device=cpu"));
        assertThat(set.precision()).isEqualTo(io.moslora.nn.Precision.FP16);
        assertThat(set.device()).isEqualTo("cpu");
    }

    @Test
    void badPrecisionOrDeviceNamesTheField(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("run.yaml");
        Files.writeString(f, "preset: tiny\nprecision: fp8\n");
        assertThatThrownBy(() -> LlavaTrainConfig.load(f, List.of())).isInstanceOf(UserError.class)
                .hasMessage(f + ": field precision: expected fp32, fp16 or bf16, got fp8");
        assertThatThrownBy(() -> LlavaTrainConfig.preset("tiny", List.of("device=gpu"))).isInstanceOf(UserError.class)
                .hasMessageContaining("field device").hasMessageContaining("gpu");
        assertThatThrownBy(() -> LlavaTrainConfig.preset("tiny", List.of("precision=bf16", "train_base=true")))
                .isInstanceOf(UserError.class).hasMessageContaining("field precision: train_base");
    }

    @Test
    void deviceAutoFollowsTheGpuCountAndCudaNeedsAGpu() {
        assertThat(TrainingDevice.resolve("auto", 0)).isEqualTo(ai.djl.Device.cpu());
        assertThat(TrainingDevice.resolve("auto", 2)).isEqualTo(ai.djl.Device.gpu());
        assertThat(TrainingDevice.resolve("cpu", 2)).isEqualTo(ai.djl.Device.cpu());
        assertThat(TrainingDevice.resolve("cuda", 1)).isEqualTo(ai.djl.Device.gpu());
        assertThatThrownBy(() -> TrainingDevice.resolve("cuda", 0)).isInstanceOf(UserError.class)
                .hasMessageStartingWith("training config: field device: cuda, but DJL sees no GPU");
    }

    @Test
    void batchesAreAPureFunctionOfSeedStepAndMicro() {
        TrainingBatches b = new TrainingBatches(10, 3, 2, 7);
        assertThat(b.indices(4, 1)).isEqualTo(new TrainingBatches(10, 3, 2, 7).indices(4, 1));
        // the first epoch (30 draws would span 3 epochs; the first 10 draws) is a permutation of all samples
        int[] seen = new int[10];
        for (int step = 0; step < 2; step++) {
            for (int micro = 0; micro < 2; micro++) {
                for (int i : b.indices(step, micro)) {
                    seen[i]++;
                }
            }
        }
        // 12 draws: the 10 of epoch 0 once each, then 2 of epoch 1
        assertThat(java.util.Arrays.stream(seen).sum()).isEqualTo(12);
        assertThat(java.util.Arrays.stream(seen).min().getAsInt()).isGreaterThanOrEqualTo(1);
    }
}
