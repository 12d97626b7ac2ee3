package io.moslora.sdxl.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.moslora.engine.Seeds;
import org.junit.jupiter.api.Test;

class AutoencoderKLTest {
    @Test
    void encodeDecodeShapesAndTheLatentScale() {
        try (NDManager m = NDManager.newBaseManager()) {
            AutoencoderKL vae = TinySdxl.create(5, m).vae();
            assertThat(vae.config().downsampleFactor()).isEqualTo(2);
            Seeds.seed(6);
            NDArray image = m.randomUniform(-1f, 1f, new Shape(2, 3, 16, 12));
            LatentDistribution dist = vae.encode(image);
            assertThat(dist.mean().getShape()).isEqualTo(new Shape(2, 4, 8, 6));
            assertThat(dist.logvar().max().getFloat()).isLessThanOrEqualTo(20f);
            // std = exp(logvar / 2) exactly as diffusers derives it
            assertThat(dist.std().toFloatArray()[0]).isCloseTo((float) Math.exp(dist.logvar().toFloatArray()[0] / 2), within(1e-6f));
            assertThat(dist.mode()).isSameAs(dist.mean());
            NDArray decoded = vae.decode(dist.mode());
            assertThat(decoded.getShape()).isEqualTo(new Shape(2, 3, 16, 12));
            // scaling_factor 0.13025 from tiny-vae's config, applied and undone
            NDArray scaled = vae.toUNetSpace(dist.mean());
            assertThat(scaled.toFloatArray()[3]).isEqualTo(dist.mean().toFloatArray()[3] * 0.13025f, within(1e-7f));
            assertThat(vae.fromUNetSpace(scaled).toFloatArray()[3]).isCloseTo(dist.mean().toFloatArray()[3], within(1e-6f));
            // sampling draws around the mean; a seeded draw repeats
            Seeds.seed(11);
            float[] s1 = dist.sample().toFloatArray();
            Seeds.seed(11);
            assertThat(dist.sample().toFloatArray()).containsExactly(s1);
        }
    }

    @Test
    void keysFollowDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            AutoencoderKL vae = TinySdxl.create(5, m).vae();
            assertThat(vae.namedParameters()).containsKeys("encoder.conv_in.weight",
                    "encoder.down_blocks.0.resnets.0.conv1.weight", "encoder.down_blocks.0.downsamplers.0.conv.weight",
                    "encoder.down_blocks.1.resnets.0.conv_shortcut.weight", "encoder.mid_block.attentions.0.group_norm.weight",
                    "encoder.mid_block.attentions.0.to_q.bias", "encoder.mid_block.resnets.1.norm2.bias",
                    "encoder.conv_out.weight", "quant_conv.weight", "post_quant_conv.weight", "decoder.conv_in.weight",
                    "decoder.up_blocks.0.resnets.1.conv1.weight", "decoder.up_blocks.0.upsamplers.0.conv.weight",
                    "decoder.up_blocks.1.resnets.0.conv_shortcut.weight", "decoder.conv_norm_out.weight")
                    .doesNotContainKeys("encoder.down_blocks.1.downsamplers.0.conv.weight",
                            "decoder.up_blocks.1.upsamplers.0.conv.weight", "encoder.down_blocks.0.resnets.0.time_emb_proj.weight");
            assertThat(vae.namedParameters().get("encoder.conv_out.weight").shape()).isEqualTo(new Shape(8, 64, 3, 3));
        }
    }
}
