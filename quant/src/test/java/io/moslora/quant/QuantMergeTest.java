package io.moslora.quant;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.LoraLinear;
import io.moslora.nn.Module;
import java.util.List;
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
}
