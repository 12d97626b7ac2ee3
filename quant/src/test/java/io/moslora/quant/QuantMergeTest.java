package io.moslora.quant;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.LoraLinear;
import io.moslora.nn.Module;
import java.nio.file.Path;
import java.util.List;
import ai.djl.ndarray.types.DataType;
import io.moslora.adapters.PeftAdapters;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SafetensorsWriter;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

class QuantMergeTest {

    private static Module adapted(NDManager m, QuantState s) {
        Module root = new Module() {};
        root.addChild("proj", new Linear4bit(s, false, m));
        AdapterInjector.inject(root, AdapterConfig.of(AdapterKind.MOSLORA, 4, 8, List.of("proj")), m);
        return root;
    }

    @Test
    void aZeroUpdateReQuantizesToTheSameCodesWithZeroError() {
        // without double quantization a dequantized weight is a fixed point: its block maxima sit on code ±1
        // (with it, the re-quantized absmax gets a new mean offset and moves slightly)
        try (NDManager m = NDManager.newBaseManager()) {
            QuantState s = Linear4bitTest.state(false);
            Module root = adapted(m, s);
            QuantMerge.RequantizeReport r = QuantMerge.requantized(root, "proj", m);
            assertThat(r.numel()).isEqualTo(1000);
            assertThat(r.maxAbsError()).isZero();
            assertThat(r.rmsError()).isZero();
            QuantState merged = ((Linear4bit) root.get("proj")).state();
            assertThat(merged.packed()).containsExactly(s.packed());
            assertThat(merged.absmax()).containsExactly(s.absmax());
        }
    }

    @Test
    void aRealUpdateReportsErrorsWithinHalfTheWidestNf4GapTimesTheBlockAbsmax() {
        try (NDManager m = NDManager.newBaseManager()) {
            QuantState s = Linear4bitTest.state(false);
            Module root = adapted(m, s);
            LoraLinear lora = (LoraLinear) root.get("proj");
            lora.loraB().weight().set(m.create(Linear4bitTest.gaussian(100, 9), new Shape(25, 4)));
            float[] exact = lora.denseWeight().toFloatArray();
            QuantMerge.RequantizeReport r = QuantMerge.requantized(root, "proj", m);
            QuantState merged = ((Linear4bit) root.get("proj")).state();
            assertThat(merged.blocksize()).isEqualTo(64);
            assertThat(merged.doubleQuant()).isFalse();
            float[] back = merged.dequantize();
            float[] code = FourBitType.NF4.table();
            double widestGap = 0;
            for (int i = 1; i < code.length; i++) {
                widestGap = Math.max(widestGap, code[i] - code[i - 1]);
            }
            double max = 0;
            double sumSq = 0;
            for (int i = 0; i < exact.length; i++) {
                double d = Math.abs((double) back[i] - exact[i]);
                // nearest-code rounding: never more than half a gap of the table, scaled by the block's absmax
                assertThat(d).isLessThanOrEqualTo(widestGap / 2 * merged.absmax()[i / 64] * (1 + 1e-6));
                max = Math.max(max, d);
                sumSq += d * d;
            }
            assertThat(r.maxAbsError()).isPositive().isCloseTo(max, org.assertj.core.data.Offset.offset(1e-7));
            assertThat(r.rmsError()).isCloseTo(Math.sqrt(sumSq / exact.length), org.assertj.core.data.Offset.offset(1e-7));
            assertThat(r.rmsError()).isLessThan(r.maxAbsError());
        }
    }

    @Test
    void policyOriginalMergesExactlyIntoTheDenseCheckpointWhileTheRequantizedOneRoundsToTheGrid(@TempDir Path dir)
            throws java.io.IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            io.moslora.engine.Seeds.seed(8);
            TinyLm dense = new TinyLm();
            dense.materialize(m, DataType.FLOAT32);
            Path modelDir = dir.resolve("model");
            SafetensorsWriter w = new SafetensorsWriter();
            dense.namedParameters().forEach((k, p) -> w.add(k, p.array()));
            w.write(java.nio.file.Files.createDirectories(modelDir).resolve("model.safetensors"));
            float[] original = ((io.moslora.nn.Linear) dense.get("up_proj")).weight().array().toFloatArray();

            Quantizer.quantizeModel(dense, QuantOptions.qlora(), m);
            AdapterConfig config = AdapterConfig.of(AdapterKind.MOSLORA, 4, 8, List.of("up_proj"));
            AdapterInjector.inject(dense, config, m);
            LoraLinear lora = (LoraLinear) dense.get("up_proj");
            lora.loraB().weight().set(m.create(Linear4bitTest.gaussian(128 * 4, 9), new Shape(128, 4)));
            float[] delta = lora.deltaWeight().toFloatArray();
            Path adapterDir = dir.resolve("adapter");
            PeftAdapters.save(dense, config, adapterDir);

            Path out = dir.resolve("merged");
            assertThat(QuantMerge.intoOriginal(modelDir, adapterDir, out, Long.MAX_VALUE)).isEqualTo(1);
            float[] merged;
            try (SafetensorsFile f = SafetensorsFile.open(out.resolve("model.safetensors"))) {
                merged = f.readFloats("up_proj.weight");
            }
            QuantMerge.RequantizeReport r = QuantMerge.requantized(dense, "up_proj", m);
            float[] requantized = ((Linear4bit) dense.get("up_proj")).state().dequantize();
            double maxA = 0;
            double maxB = 0;
            for (int i = 0; i < original.length; i++) {
                double exact = (double) original[i] + delta[i];
                maxA = Math.max(maxA, Math.abs(merged[i] - exact));
                maxB = Math.max(maxB, Math.abs(requantized[i] - exact));
            }
            assertThat(maxA).isLessThan(1e-6); // (a): only float32 rounding of the sum
            assertThat(maxB).isGreaterThan(1e-3); // (b): the base's own quantization error plus the re-quantization
            assertThat(r.maxAbsError()).isGreaterThan(1e-3).isLessThanOrEqualTo(maxB + 1e-6);
        }
    }
}
