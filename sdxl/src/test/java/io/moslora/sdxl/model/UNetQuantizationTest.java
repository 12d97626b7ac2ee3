package io.moslora.sdxl.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.moslora.cli.UserError;
import io.moslora.engine.OwnedArrays;
import io.moslora.engine.Seeds;
import io.moslora.nn.Conv2d;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;
import io.moslora.nn.Parameter;
import io.moslora.quant.FourBitType;
import io.moslora.quant.Linear4bit;
import io.moslora.quant.QuantState;
import io.moslora.quant.Quantizer;
import io.moslora.quant.RawTensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --quantize nf4}: which layers turn 4-bit, what the 4-bit UNet computes, and loading as it streams in. */
class UNetQuantizationTest {
    private static List<String> linearPaths(Module root) {
        return root.namedModules().entrySet().stream().filter(e -> e.getValue() instanceof Linear).map(Map.Entry::getKey)
                .toList();
    }

    private static Map<String, float[]> values(Map<String, Parameter> params) {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((k, p) -> out.put(k, p.array().toFloatArray()));
        return out;
    }

    @Test
    void everyLinearOfTheUNetBecomesNf4WithDoubleQuantAndEverythingElseIsUntouched() {
        try (NDManager m = NDManager.newBaseManager()) {
            SdxlModels models = TinySdxl.create(0, m);
            UNet2DConditionModel unet = models.unet();
            List<String> linears = linearPaths(unet);
            // every kind of Linear the UNet has: attention, feed-forward, projections, embeddings, resnet time input
            assertThat(linears).contains("time_embedding.linear_1", "time_embedding.linear_2", "add_embedding.linear_1",
                    "add_embedding.linear_2", "down_blocks.0.resnets.0.time_emb_proj",
                    "down_blocks.1.attentions.0.proj_in", "down_blocks.1.attentions.0.proj_out",
                    "down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k",
                    "down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_out.0",
                    "down_blocks.1.attentions.0.transformer_blocks.0.ff.net.0.proj",
                    "down_blocks.1.attentions.0.transformer_blocks.0.ff.net.2");
            Map<String, float[]> before = values(unet.namedParameters());
            Map<String, Module> convs = new LinkedHashMap<>();
            unet.namedModules().forEach((k, v) -> {
                if (v instanceof Conv2d) convs.put(k, v);
            });
            assertThat(convs).isNotEmpty();
            long vaeLinears = linearPaths(models.vae()).size();
            long textLinears = linearPaths(models.text().encoder1()).size() + linearPaths(models.text().encoder2()).size();

            List<String> done = UNetQuantization.NF4.apply(unet, m);

            assertThat(done).containsExactlyInAnyOrderElementsOf(linears);
            assertThat(linearPaths(unet)).isEmpty();
            assertThat(UNetQuantization.fourBitLayers(unet)).isEqualTo(linears.size());
            for (String path : linears) {
                Linear4bit q = (Linear4bit) unet.get(path);
                QuantState s = q.state();
                assertThat(s.type()).isEqualTo(FourBitType.NF4);
                assertThat(s.blocksize()).isEqualTo(64);
                assertThat(s.doubleQuant()).as(path).isTrue();
                assertThat(s.shape()).containsExactly(before.get(path + ".weight").length / q.inFeatures(), q.inFeatures());
                assertThat(q.trainableParameterCount()).isZero();
            }
            // convolutions are the same objects, every non-Linear-weight parameter (biases too) bit-identical
            unet.namedModules().forEach((k, v) -> {
                if (v instanceof Conv2d) assertThat(convs.get(k)).isSameAs(v);
            });
            assertThat(convs.keySet()).allMatch(k -> unet.get(k) instanceof Conv2d);
            Map<String, float[]> after = values(unet.namedParameters());
            Map<String, float[]> expected = new LinkedHashMap<>(before);
            linears.forEach(p -> expected.remove(p + ".weight"));
            assertThat(after.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
            expected.forEach((k, v) -> assertThat(after.get(k)).as(k).containsExactly(v));
            // the VAE and the text encoders are not the UNet: they stay dense
            assertThat(linearPaths(models.vae())).hasSize((int) vaeLinears);
            assertThat(linearPaths(models.text().encoder1()).size() + linearPaths(models.text().encoder2()).size())
                    .isEqualTo(textLinears);
            assertThat(UNetQuantization.NONE.apply(models.unet(), m)).isEmpty();
        }
    }

    @Test
    void quantizedForwardEqualsTheDenseUNetWhoseLinearWeightsAreDequantOfQuant() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel dense = TinySdxl.create(5, m).unet();
            UNet2DConditionModel quantized = TinySdxl.create(5, m).unet();
            UNetQuantization.NF4.apply(quantized, m);
            NDArray[] in = inputs(m);
            float[] original = run(dense, in);
            for (String path : linearPaths(dense)) {
                Parameter w = ((Linear) dense.get(path)).weight();
                QuantState s = ((Linear4bit) quantized.get(path)).state();
                w.set(OwnedArrays.create(m, s.dequantize(), new Shape(s.shape())));
            }
            float[] expected = run(dense, in);
            float[] actual = run(quantized, in);
            assertThat(maxAbsDiff(actual, expected)).isLessThan(1e-5);
            // and 4 bits are not 32: the quantized UNet really computes something else than the original
            assertThat(maxAbsDiff(actual, original)).isGreaterThan(1e-3);
        }
    }

    @Test
    void aDiffusersFolderLoadedWithNf4HoldsExactlyTheCodesOfQuantizingInMemory(@TempDir Path dir) {
        try (NDManager m = NDManager.newBaseManager()) {
            SdxlModels saved = TinySdxl.create(3, m);
            saved.save(dir);
            UNetQuantization.NF4.apply(saved.unet(), m);
            Map<String, RawTensor> inMemory = Quantizer.bnbStateDict(saved.unet());

            SdxlModels loaded = SdxlModels.load(dir, m, DataType.FLOAT32, UNetQuantization.NF4);
            assertThat(linearPaths(loaded.unet())).isEmpty();
            assertThat(Quantizer.bnbStateDict(loaded.unet())).isEqualTo(inMemory);
            Map<String, float[]> want = values(saved.unet().namedParameters());
            Map<String, float[]> got = values(loaded.unet().namedParameters());
            assertThat(got.keySet()).containsExactlyElementsOf(want.keySet());
            want.forEach((k, v) -> assertThat(got.get(k)).as(k).containsExactly(v));
            assertThat(linearPaths(loaded.vae())).isNotEmpty(); // the rest loads dense as before
        }
    }

    @Test
    void onlyNoneAndNf4AreAccepted() {
        assertThat(UNetQuantization.parse("none")).isEqualTo(UNetQuantization.NONE);
        assertThat(UNetQuantization.parse("NF4")).isEqualTo(UNetQuantization.NF4);
        assertThatThrownBy(() -> UNetQuantization.parse("int3")).isInstanceOf(UserError.class)
                .hasMessage("--quantize int3: use none or nf4 (4-bit NormalFloat with double quantization for the UNet's "
                        + "linear layers)");
    }

    /** The tiny UNet's inputs: latents [1, 4, 16, 16], 96-wide text (32 + 64), pooled 64, six time ids. */
    private static NDArray[] inputs(NDManager m) {
        Seeds.seed(11);
        return new NDArray[] {m.randomNormal(new Shape(1, 4, 16, 16)), OwnedArrays.create(m, new float[] {500}),
                m.randomNormal(new Shape(1, 77, 96)), m.randomNormal(new Shape(1, 64)),
                OwnedArrays.create(m, new float[] {64, 64, 0, 0, 64, 64}, new Shape(1, 6))};
    }

    private static float[] run(UNet2DConditionModel unet, NDArray[] in) {
        return unet.forward(in[0], in[1], in[2], in[3], in[4]).toFloatArray();
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        return max;
    }
}
