package io.moslora.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BnbLinear4bitStateTest {
    private static final String KEY = "model.layers.0.mlp.down_proj.weight";

    private static float[] weights(int n, long seed) {
        Random r = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) r.nextGaussian() * 0.05f;
        }
        return w;
    }

    @Test
    void doubleQuantLayoutHasBitsandbytesKeysDtypesAndShapes() {
        long[] shape = {48, 100}; // 4800 values: 75 blocks of 64, one partial nested block
        QuantState s = QuantState.quantize(weights(4800, 1), shape, "bfloat16", FourBitType.NF4, 64, true);
        Map<String, RawTensor> t = BnbLinear4bitState.toTensors(KEY, s);
        assertThat(t.keySet()).containsExactly(KEY, KEY + ".absmax", KEY + ".quant_map", KEY + ".nested_absmax",
                KEY + ".nested_quant_map", KEY + ".quant_state.bitsandbytes__nf4");
        assertThat(t.get(KEY).dtype()).isEqualTo("U8");
        assertThat(t.get(KEY).shape()).containsExactly(2400, 1);
        assertThat(t.get(KEY + ".absmax").dtype()).isEqualTo("U8");
        assertThat(t.get(KEY + ".absmax").shape()).containsExactly(75);
        assertThat(t.get(KEY + ".quant_map").asF32()).containsExactly(FourBitType.NF4.table());
        assertThat(t.get(KEY + ".nested_absmax").shape()).containsExactly(1);
        assertThat(t.get(KEY + ".nested_quant_map").asF32()).containsExactly(DynamicMap.values());
        String json = new String(t.get(KEY + ".quant_state.bitsandbytes__nf4").data(), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"bfloat16\", "
                + "\"shape\": [48, 100], \"nested_blocksize\": 256, \"nested_dtype\": \"float32\", \"nested_offset\": "
                + PythonFloatRepr.of(s.nested().offset()) + "}");
        assertThat(s.bitsPerParameter()).isEqualTo((2400 * 8 + 75 * 8 + 32 + 32) / 4800.0);
    }

    @Test
    void plainLayoutStoresFloatAbsmax() {
        QuantState s = QuantState.quantize(weights(99, 2), new long[] {9, 11}, "float16", FourBitType.FP4, 32, false);
        Map<String, RawTensor> t = BnbLinear4bitState.toTensors(KEY, s);
        assertThat(t.keySet()).containsExactly(KEY, KEY + ".absmax", KEY + ".quant_map",
                KEY + ".quant_state.bitsandbytes__fp4");
        assertThat(t.get(KEY).shape()).containsExactly(50, 1);
        assertThat(t.get(KEY + ".absmax").dtype()).isEqualTo("F32");
        assertThat(t.get(KEY + ".absmax").asF32()).containsExactly(s.absmax());
        assertThat(new String(t.get(KEY + ".quant_state.bitsandbytes__fp4").data(), StandardCharsets.UTF_8))
                .isEqualTo("{\"quant_type\": \"fp4\", \"blocksize\": 32, \"dtype\": \"float16\", \"shape\": [9, 11]}");
    }

    @Test
    void roundTripIsBitExact() {
        for (boolean dq : new boolean[] {true, false}) {
            QuantState s = QuantState.quantize(weights(64 * 300 + 10, 3), new long[] {64 * 300 + 10}, "float32",
                    FourBitType.NF4, 64, dq);
            Map<String, RawTensor> t = BnbLinear4bitState.toTensors(KEY, s);
            assertThat(BnbLinear4bitState.isQuantized(KEY, t)).isTrue();
            QuantState back = BnbLinear4bitState.fromTensors(KEY, t, "in.safetensors");
            assertThat(BnbLinear4bitState.toTensors(KEY, back)).isEqualTo(t);
            assertThat(back.dequantize(FourBitKernels.JAVA)).containsExactly(s.dequantize(FourBitKernels.JAVA));
            assertThat(back.shape()).containsExactly(64 * 300 + 10);
            assertThat(back.dtype()).isEqualTo("float32");
        }
    }

    @Test
    void missingOrWrongEntriesNameFileAndTensor() {
        QuantState s = QuantState.quantize(weights(256, 4), new long[] {16, 16}, "float16", FourBitType.NF4, 64, true);
        Map<String, RawTensor> t = new LinkedHashMap<>(BnbLinear4bitState.toTensors(KEY, s));
        t.remove(KEY + ".nested_absmax");
        assertThatThrownBy(() -> BnbLinear4bitState.fromTensors(KEY, t, "m.safetensors"))
                .hasMessage("m.safetensors: missing tensor " + KEY + ".nested_absmax");
        assertThatThrownBy(() -> BnbLinear4bitState.fromTensors("other.weight", t, "m.safetensors"))
                .hasMessageContaining("m.safetensors").hasMessageContaining("other.weight.quant_state");
        Map<String, RawTensor> wrongDtype = new LinkedHashMap<>(BnbLinear4bitState.toTensors(KEY, s));
        wrongDtype.put(KEY + ".quant_map", RawTensor.u8(new byte[16], 16));
        assertThatThrownBy(() -> BnbLinear4bitState.fromTensors(KEY, wrongDtype, "m.safetensors"))
                .hasMessage("m.safetensors: tensor " + KEY + ".quant_map is U8, expected F32");
        assertThatThrownBy(() -> QuantState.quantize(weights(64, 5), new long[] {64}, "int8", FourBitType.NF4, 64, false))
                .hasMessageContaining("int8");
        Map<String, RawTensor> shortWeight = new LinkedHashMap<>(BnbLinear4bitState.toTensors(KEY, s));
        shortWeight.put(KEY, RawTensor.u8(new byte[100], 100, 1));
        assertThatThrownBy(() -> BnbLinear4bitState.fromTensors(KEY, shortWeight, "m.safetensors"))
                .hasMessage("m.safetensors: " + KEY + ": packed weight has 100 bytes, expected 128 for shape [16, 16]");
        Map<String, RawTensor> bad = new LinkedHashMap<>(BnbLinear4bitState.toTensors(KEY, s));
        bad.put(KEY + ".quant_state.bitsandbytes__nf4", RawTensor.u8("{oops".getBytes(StandardCharsets.UTF_8), 5));
        assertThatThrownBy(() -> BnbLinear4bitState.fromTensors(KEY, bad, "m.safetensors"))
                .hasMessageContaining("m.safetensors").hasMessageContaining("not valid JSON");
    }
}
