package io.moslora.sdxl.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.LoraLinear;
import io.moslora.adapters.MixerInit;
import io.moslora.io.SharedData;
import io.moslora.nn.Parameter;
import io.moslora.quant.Linear4bit;
import io.moslora.quant.Quantizer;
import io.moslora.quant.RawTensor;
import io.moslora.sdxl.model.SdxlModels;
import io.moslora.sdxl.model.UNetQuantization;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** QMoSLoRA DreamBooth: the adapter trains on a frozen NF4 UNet whose 4-bit data never changes. */
class QuantizedDreamBoothTest {
    private static final Path CAT = SharedData.require("dreambooth/cat");

    @Test
    void moSLoRAOnTheNf4UNetTrainsWhileEveryBaseByteStaysTheSame(@TempDir Path dir) {
        DreamBoothOptions o = new DreamBoothOptions(CAT, "a photo of ikat cat", AdapterKind.MOSLORA, 4, MixerInit.KAIMING,
                DreamBoothOptions.UNET_ATTENTION, 16, true, false, 1e-3, 1, 1, 2, 0, false, 7, null, dir, false);
        try (NDManager m = NDManager.newBaseManager()) {
            SdxlModels models = SdxlModels.open(SdxlModels.TINY, m, UNetQuantization.NF4);
            Map<String, RawTensor> codes = codes(models);
            Map<String, float[]> dense = values(models.unet().namedParameters());
            assertThat(codes).isNotEmpty();

            DreamBoothTrainer.Result r = DreamBoothTrainer.train(models, o, m);

            assertThat(r.training().stepsRun()).isEqualTo(2);
            assertThat(r.training().finalLoss(1)).isFinite();
            List<LoraLinear> adapters = models.unet().namedModules().values().stream()
                    .filter(x -> x instanceof LoraLinear).map(x -> (LoraLinear) x).toList();
            assertThat(adapters).hasSize(r.adaptedModules().size()).isNotEmpty();
            for (LoraLinear a : adapters) {
                assertThat(a.base()).isInstanceOf(Linear4bit.class); // the adapter wraps the 4-bit layer
                // B starts at zero (DESIGN §1): any non-zero value is the training's doing
                float[] b = a.loraB().weight().array().toFloatArray();
                assertThat(b).as("lora_B").matches(v -> maxAbs(v) > 0);
            }
            // the frozen base: 4-bit codes, scales and every dense base parameter bit-identical after training
            Map<String, RawTensor> after4bit = codes(models);
            assertThat(after4bit.keySet()).isEqualTo(codes.keySet());
            codes.forEach((k, v) -> assertThat(after4bit.get(k)).as(k).isEqualTo(v));
            Map<String, float[]> after = new LinkedHashMap<>();
            models.unet().namedParameters().forEach((k, p) -> {
                if (!k.contains("lora_")) after.put(k.replace(".base_layer", ""), p.array().toFloatArray());
            });
            assertThat(after.keySet()).containsExactlyInAnyOrderElementsOf(dense.keySet());
            dense.forEach((k, v) -> assertThat(after.get(k)).as(k).containsExactly(v));
        }
    }

    /** The 4-bit state by the base layer's own name (an adapter puts its base under {@code .base_layer}). */
    private static Map<String, RawTensor> codes(SdxlModels models) {
        Map<String, RawTensor> out = new LinkedHashMap<>();
        Quantizer.bnbStateDict(models.unet()).forEach((k, v) -> out.put(k.replace(".base_layer", ""), v));
        return out;
    }

    private static Map<String, float[]> values(Map<String, Parameter> params) {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((k, p) -> out.put(k, p.array().toFloatArray()));
        return out;
    }

    private static double maxAbs(float[] v) {
        double max = 0;
        for (float x : v) max = Math.max(max, Math.abs(x));
        return max;
    }
}
