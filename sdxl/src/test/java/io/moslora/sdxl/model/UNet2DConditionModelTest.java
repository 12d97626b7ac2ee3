package io.moslora.sdxl.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moslora.cli.UserError;
import io.moslora.config.HfConfigJson;
import io.moslora.config.TinyConfigs;
import io.moslora.config.UNet2DConditionConfig;
import io.moslora.engine.Seeds;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class UNet2DConditionModelTest {
    /** Inputs of the tiny UNet: latents [1, 4, 16, 16], 96-wide text (32 + 64), pooled 64, six time ids. */
    private static NDArray[] inputs(NDManager m, long seed) {
        Seeds.seed(seed);
        return new NDArray[] {
                m.randomNormal(new Shape(1, 4, 16, 16)), m.create(new float[] {500}),
                m.randomNormal(new Shape(1, 77, 96)), m.randomNormal(new Shape(1, 64)),
                m.create(new float[] {64, 64, 0, 0, 64, 64}, new Shape(1, 6))};
    }

    private static NDArray run(UNet2DConditionModel unet, NDArray[] in) {
        return unet.forward(in[0], in[1], in[2], in[3], in[4]);
    }

    @Test
    void tinyForwardIsDeterministicForASeed() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel a = TinySdxl.create(42, m).unet();
            UNet2DConditionModel b = TinySdxl.create(42, m).unet();
            NDArray[] in = inputs(m, 9);
            NDArray outA = run(a, in);
            assertThat(outA.getShape()).isEqualTo(new Shape(1, 4, 16, 16));
            assertThat(outA.toFloatArray()).containsExactly(run(b, in).toFloatArray());
            assertThat(outA.toFloatArray()).containsExactly(run(a, in).toFloatArray());
            UNet2DConditionModel other = TinySdxl.create(43, m).unet();
            assertThat(run(other, in).toFloatArray()).isNotEqualTo(outA.toFloatArray());
        }
    }

    @Test
    void everyConditionReachesTheOutput() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = TinySdxl.create(42, m).unet();
            NDArray[] in = inputs(m, 9);
            float[] base = run(unet, in).toFloatArray();
            for (int i = 1; i < in.length; i++) {
                NDArray[] changed = in.clone();
                changed[i] = in[i].add(1f);
                assertThat(run(unet, changed).toFloatArray()).as("input %d", i).isNotEqualTo(base);
            }
            // a batch of two is two independent samples
            NDArray[] twice = new NDArray[5];
            for (int i = 0; i < 5; i++) {
                twice[i] = in[i].concat(in[i], 0);
            }
            float[] pair = run(unet, twice).toFloatArray();
            float[] first = java.util.Arrays.copyOf(pair, base.length);
            for (int i = 0; i < base.length; i++) {
                assertThat(first[i]).isCloseTo(base[i], org.assertj.core.api.Assertions.within(1e-4f));
            }
        }
    }

    @Test
    void tinyKeysAndShapesFollowDiffusers() {
        UNet2DConditionModel unet = new UNet2DConditionModel(TinyConfigs.load("tiny-unet", UNet2DConditionConfig.class));
        var p = unet.namedParameters();
        // conv_in 4→32; time MLP from 32 sinusoidal features to 128; add_embedding 64 pooled + 6·8 time features
        assertThat(p.get("conv_in.weight").shape()).isEqualTo(new Shape(32, 4, 3, 3));
        assertThat(p.get("time_embedding.linear_1.weight").shape()).isEqualTo(new Shape(128, 32));
        assertThat(p.get("add_embedding.linear_1.weight").shape()).isEqualTo(new Shape(128, 112));
        assertThat(p.get("down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight").shape()).isEqualTo(new Shape(64, 96));
        assertThat(p.get("down_blocks.1.attentions.0.transformer_blocks.0.ff.net.0.proj.weight").shape())
                .isEqualTo(new Shape(512, 64));
        // up block 0 (deep, 2 resnets): 64 + 64 skip, then 64 + 32 (the skip from down block 0's downsampler)
        assertThat(p.get("up_blocks.0.resnets.0.conv1.weight").shape()).isEqualTo(new Shape(64, 128, 3, 3));
        assertThat(p.get("up_blocks.0.resnets.1.conv1.weight").shape()).isEqualTo(new Shape(64, 96, 3, 3));
        assertThat(p.get("up_blocks.1.resnets.0.conv1.weight").shape()).isEqualTo(new Shape(32, 96, 3, 3));
        assertThat(p).containsKeys("up_blocks.0.upsamplers.0.conv.weight", "mid_block.attentions.0.proj_in.weight",
                "down_blocks.0.downsamplers.0.conv.bias", "conv_norm_out.bias", "conv_out.weight");
    }

    @Test
    void unsupportedConfigsNameTheField() {
        UNet2DConditionConfig tiny = TinyConfigs.load("tiny-unet", UNet2DConditionConfig.class);
        ObjectNode json = (ObjectNode) HfConfigJson.toJson(tiny);
        json.put("resnet_time_scale_shift", "scale_shift");
        UNet2DConditionConfig bad = UNet2DConditionConfig.fromJson(json, Path.of("unet/config.json"));
        assertThatThrownBy(() -> new UNet2DConditionModel(bad)).isInstanceOf(UserError.class)
                .hasMessageContaining("resnet_time_scale_shift");
    }
}
