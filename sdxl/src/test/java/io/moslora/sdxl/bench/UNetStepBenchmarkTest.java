package io.moslora.sdxl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.moslora.adapters.AdapterKind;
import io.moslora.bench.PytorchPeer;
import io.moslora.config.HfConfigJson;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UNetStepBenchmarkTest {
    private static final Path SCRIPT = Path.of("../benchmarks/pytorch_sdxl_unet_step.py");

    private static UNetStepBenchmark bench(BenchUNet unet) {
        return new UNetStepBenchmark(new UNetStepBenchmark.Settings(unet, 1, 0, 0));
    }

    @Test
    void smallConfigAdapterSizesByHand() {
        // rank 4 adds 4·(in + out) per target. Transformer blocks: width 48 — 2 down + 3 up; width 64 (2 layers
        // each) — 2·2 down + 3·2 up + 2 mid = 12. Per block at width C, text width 128: self-attention q,k,v,out
        // 4·4·2C = 32C; cross-attention q and out 16C, k and v 2·4·(128 + C); together 56C + 1024.
        long lora = 5 * (56 * 48 + 1024) + 12 * (56 * 64 + 1024);
        assertThat(lora).isEqualTo(73_856);
        long[] counts = bench(BenchUNet.SMALL).parameterCounts(AdapterKind.LORA);
        assertThat(counts[1]).isEqualTo(lora);
        // MoSLoRA adds the 4×4 mixer on each of the 17 blocks' 8 targets
        assertThat(bench(BenchUNet.SMALL).parameterCounts(AdapterKind.MOSLORA)[1]).isEqualTo(lora + 17 * 8 * 16);
        assertThat(counts[0]).isBetween(1_000_000L, 4_000_000L); // "a few million"
        assertThat(bench(BenchUNet.SMALL).latentSize()).isEqualTo(32);
    }

    @Test
    void pytorchPeerBuildsTheSameUNet(@TempDir Path dir) {
        String missing = PytorchPeer.torchMissing();
        assumeTrue(missing == null, "no python3-torch: " + missing);
        for (BenchUNet unet : BenchUNet.values()) {
            UNetStepBenchmark b = bench(unet);
            Path json = dir.resolve(unet + ".json");
            HfConfigJson.write(b.config(), json);
            PytorchPeer.Result r = PytorchPeer.run(SCRIPT, List.of("--config", json.toString(), "--count-params"));
            assertThat(r.problem()).isNull();
            long[] ours = b.parameterCounts(AdapterKind.LORA);
            assertThat(r.number("params_base")).as(unet + " base").isEqualTo((double) ours[0]);
            assertThat(r.number("params_lora_adapter")).as(unet + " LoRA").isEqualTo((double) ours[1]);
        }
    }
}
