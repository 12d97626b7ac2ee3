package io.moslora.llava.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.llava.bench.LlavaTrainBenchmark.Preset;
import io.moslora.llava.bench.LlavaTrainBenchmark.Settings;
import io.moslora.llava.bench.LlavaTrainBenchmark.Variant;
import org.junit.jupiter.api.Test;

/** The probe behind the peak columns of {@code bench llava-train}: one child JVM, one variant of the tiny preset. */
class PeakMemoryProbeTest {
    @Test
    void childJvmTrainsOneVariantAndReportsItsPeakResidentMemory() {
        double mib = PeakMemoryProbe.measure(new Settings(Preset.TINY, 1, 8, 4, 0, 1, 1), Variant.LORA, 1);
        // -1 would mean the child failed; a JVM with libtorch loaded and a tiny model trained holds tens of MiB at
        // least, and far less than a few GiB
        assertThat(mib).isBetween(32.0, 4096.0);
    }
}
