package io.moslora.llava.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import io.moslora.bench.PytorchPeer;
import io.moslora.io.AtomicFiles;
import io.moslora.llava.bench.LlavaTrainBenchmark.Preset;
import io.moslora.llava.bench.LlavaTrainBenchmark.Settings;
import io.moslora.llava.bench.LlavaTrainBenchmark.Variant;
import io.moslora.llava.model.LlavaModel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlavaTrainBenchmarkTest {
    @Test
    void smallPresetTokenCounts() {
        LlavaTrainBenchmark b = new LlavaTrainBenchmark(new Settings(Preset.SMALL, 4, 64, 16, 1, 5, 2));
        // 64×64 images in 8×8 patches: 64 features; 4 × (63 text + 64) positions, 4 × 32 answer tokens
        assertThat(b.config().imageFeatureTokens()).isEqualTo(64);
        assertThat(b.inputTokensPerStep()).isEqualTo(508);
        assertThat(b.supervisedTokensPerStep()).isEqualTo(128);
    }

    @Test
    void batchLearnsOnlyTheAnswer() {
        Settings s = new Settings(Preset.TINY, 2, 8, 4, 0, 1, 1);
        var batch = LlavaTrainBenchmark.batch(s, s.preset().config());
        assertThat(batch).hasSize(2);
        assertThat(batch.get(0).ids()[1]).isEqualTo(LlavaModel.IMAGE_TOKEN_INDEX);
        assertThat(batch.get(0).labels()).containsExactly(-100, -100, -100, -100, batch.get(0).ids()[4],
                batch.get(0).ids()[5], batch.get(0).ids()[6], batch.get(0).ids()[7]);
        assertThat(batch.get(0).images().get(0)).hasSize(3 * 32 * 32);
    }

    /** The PyTorch peer builds the same model: its parameter counts equal ours (needs Debian python3-torch). */
    @Test
    void pytorchPeerCountsTheSameParameters(@TempDir Path dir) {
        String missing = PytorchPeer.torchMissing();
        assumeTrue(missing == null, "no python3-torch: " + missing);
        for (Preset p : Preset.values()) {
            Settings s = new Settings(p, 1, 8, 16, 0, 1, 1);
            Path config = dir.resolve(p + ".json");
            AtomicFiles.writeBytes(config, p.configJson());
            PytorchPeer.Result torch = PytorchPeer.run(Path.of("../benchmarks/pytorch_llava_step.py"),
                    List.of("--config", config.toString(), "--rank", "16", "--count-only"));
            assertThat(torch.problem()).as(p.name()).isNull();
            try (NDManager m = NDManager.newBaseManager()) {
                LlavaModel ours = new LlavaTrainBenchmark(s).build(Variant.LORA, m);
                assertThat((long) torch.number("params_total")).as(p.name()).isEqualTo(ours.parameterCount());
                assertThat((long) torch.number("params_trainable")).as(p.name()).isEqualTo(ours.trainableParameterCount());
            }
        }
    }
}
