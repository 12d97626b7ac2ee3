package io.moslora.sdxl.lora;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.config.SdxlPipelineConfig;
import io.moslora.config.UNet2DConditionConfig;
import io.moslora.sdxl.model.UNet2DConditionModel;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** diffusers ↔ SGM UNet names on SDXL base 1.0's real config (shape-only UNet) and on the tiny one. */
class SgmUNetNamesTest {
    private static final Path SDXL_BASE = Path.of("../shared-adapters/src/test/resources/configs/sdxl-base-1.0");

    private static final UNet2DConditionConfig SDXL = SdxlPipelineConfig.load(SDXL_BASE).unet();

    @Test
    void sdxlBaseKeysAreTheOnesItsSingleFileCheckpointUses() {
        SgmUNetNames n = SgmUNetNames.of(SDXL);
        // pairs as they appear in sd_xl_base_1.0.safetensors (model.diffusion_model.*) and diffusers' unet/
        String[][] pairs = {
                {"down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q", "input_blocks.4.1.transformer_blocks.0.attn1.to_q"},
                {"down_blocks.2.attentions.1.transformer_blocks.9.attn2.to_k", "input_blocks.8.1.transformer_blocks.9.attn2.to_k"},
                {"mid_block.attentions.0.transformer_blocks.9.ff.net.2", "middle_block.1.transformer_blocks.9.ff.net.2"},
                {"mid_block.resnets.1.conv2", "middle_block.2.out_layers.3"},
                {"up_blocks.0.attentions.0.transformer_blocks.0.attn1.to_out.0", "output_blocks.0.1.transformer_blocks.0.attn1.to_out.0"},
                {"up_blocks.1.attentions.2.proj_out", "output_blocks.5.1.proj_out"},
                {"up_blocks.0.upsamplers.0.conv", "output_blocks.2.2.conv"},
                {"up_blocks.1.upsamplers.0.conv", "output_blocks.5.2.conv"},
                {"up_blocks.2.resnets.2.conv_shortcut", "output_blocks.8.0.skip_connection"},
                {"down_blocks.0.resnets.1.time_emb_proj", "input_blocks.2.0.emb_layers.1"},
                {"down_blocks.0.resnets.0.norm1", "input_blocks.1.0.in_layers.0"},
                {"down_blocks.0.resnets.0.conv1", "input_blocks.1.0.in_layers.2"},
                {"down_blocks.1.resnets.0.norm2", "input_blocks.4.0.out_layers.0"},
                {"down_blocks.1.resnets.0.conv_shortcut", "input_blocks.4.0.skip_connection"},
                {"down_blocks.0.downsamplers.0.conv", "input_blocks.3.0.op"},
                {"down_blocks.1.downsamplers.0.conv", "input_blocks.6.0.op"},
                {"conv_in", "input_blocks.0.0"},
                {"time_embedding.linear_2", "time_embed.2"},
                {"add_embedding.linear_1", "label_emb.0.0"},
                {"conv_norm_out", "out.0"},
                {"conv_out.weight", "out.2.weight"}};
        for (String[] p : pairs) {
            assertThat(n.toSgm(p[0])).as(p[0]).contains(p[1]);
            assertThat(n.toDiffusers(p[1])).as(p[1]).contains(p[0]);
        }
        assertThat(n.toSgm("mid_block.attentions.0")).contains("middle_block.1");
        assertThat(n.toSgm("up_blocks.0.attentions.0")).contains("output_blocks.0.1");
        // no downsampler after the last down block, no upsampler after the last up block
        assertThat(n.toDiffusers("input_blocks.9.0.op")).isEmpty();
        assertThat(n.toSgm("up_blocks.2.upsamplers.0.conv")).isEmpty();
    }

    @Test
    void everySdxlParameterHasOneSgmNameAndComesBack() {
        assertEveryParameterRoundTrips(SDXL, 2_567_463_684L);
    }

    @Test
    void theTinyUNetMapsByItsOwnLayout() {
        // tiny: blocks [DownBlock2D, CrossAttnDownBlock2D], layers_per_block 1 → conv_in, resnet, downsampler, then
        // resnet + transformer at input_blocks.3; up block 0 has 2 layers and its upsampler at output_blocks.1.2
        UNet2DConditionConfig tiny = SdxlPipelineConfig.tiny().unet();
        SgmUNetNames n = SgmUNetNames.of(tiny);
        assertThat(n.toSgm("down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q"))
                .contains("input_blocks.3.1.transformer_blocks.0.attn1.to_q");
        assertThat(n.toSgm("down_blocks.0.downsamplers.0.conv")).contains("input_blocks.2.0.op");
        assertThat(n.toSgm("up_blocks.0.upsamplers.0.conv")).contains("output_blocks.1.2.conv");
        assertThat(n.toSgm("up_blocks.1.resnets.1.conv1")).contains("output_blocks.3.0.in_layers.2");
        assertEveryParameterRoundTrips(tiny, new UNet2DConditionModel(tiny).parameterCount());
    }

    private static void assertEveryParameterRoundTrips(UNet2DConditionConfig config, long expectedCount) {
        UNet2DConditionModel unet = new UNet2DConditionModel(config);
        assertThat(unet.parameterCount()).isEqualTo(expectedCount);
        SgmUNetNames n = SgmUNetNames.of(config);
        Set<String> sgm = new HashSet<>();
        for (String key : unet.namedParameters().keySet()) {
            Optional<String> s = n.toSgm(key);
            assertThat(s).as(key).isPresent();
            assertThat(sgm.add(s.get())).as("two parameters named " + s.get()).isTrue();
            assertThat(n.toDiffusers(s.get())).as(s.get()).contains(key);
            assertThat(s.get()).matches("(input_blocks|middle_block|output_blocks|time_embed|label_emb|out)\\..*");
        }
    }
}
