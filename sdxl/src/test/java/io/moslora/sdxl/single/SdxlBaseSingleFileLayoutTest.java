package io.moslora.sdxl.single;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.config.SdxlPipelineConfig;
import io.moslora.nn.Parameter;
import io.moslora.sdxl.model.SdxlModels;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The layout for the real SDXL base 1.0 (shape-only models, nothing allocated) against the published structure of
 * Stability's {@code sd_xl_base_1.0.safetensors}: 2,515 F16 tensors (1,680 under {@code model.}, 248 under
 * {@code first_stage_model.}, 587 under {@code conditioner.}), ranks 0/1/2/4 counted 1/1,442/949/123, a data section of
 * 6,937,675,890 bytes, and a few named shapes. The file also holds two buffers we skip: text encoder 1's
 * {@code position_ids} [1, 77] and OpenCLIP's scalar {@code logit_scale}.
 */
class SdxlBaseSingleFileLayoutTest {
    private static final Path SDXL_BASE = Path.of("../shared-adapters/src/test/resources/configs/sdxl-base-1.0");
    private static final long UNSKIPPED_BUFFER_ELEMENTS = 77 + 1;

    private final SdxlModels models = SdxlModels.build(SdxlSingleFile.baseConfig());
    private final SingleFileLayout layout = SingleFileLayout.of(models);

    @Test
    void theShippedConfigsAreSdxlBase() {
        assertThat(SdxlSingleFile.baseConfig()).isEqualTo(SdxlPipelineConfig.load(SDXL_BASE));
    }

    @Test
    void everyStoredKeyIsDistinctAndCoversItsNetworksParametersExactly() {
        Map<SingleFileLayout.Part, Long> expectedCounts = Map.of(SingleFileLayout.Part.UNET, 2_567_463_684L,
                SingleFileLayout.Part.VAE, 83_653_863L, SingleFileLayout.Part.TEXT_ENCODER, 123_060_480L,
                SingleFileLayout.Part.TEXT_ENCODER_2, 694_659_840L);
        Map<String, long[]> stored = storedShapes();
        for (SingleFileLayout.Part part : layout.parts()) {
            Map<String, Parameter> params = layout.module(part).namedParameters();
            long elements = 0;
            Map<String, Integer> users = new HashMap<>();
            for (Map.Entry<String, SingleFileKey> e : layout.keys(part).entrySet()) {
                assertThat(e.getValue().key()).startsWith(part.prefix());
                users.merge(e.getValue().key(), 1, Integer::sum);
                elements += params.get(e.getKey()).numel();
            }
            // one parameter per stored key, except OpenCLIP's in_proj tensors, which hold exactly q, k and v
            users.forEach((key, n) -> assertThat(n).as(key).isEqualTo(key.contains(".attn.in_proj_") ? 3 : 1));
            assertThat(layout.keys(part)).hasSameSizeAs(params);
            assertThat(elements).as(part.label()).isEqualTo(expectedCounts.get(part));
            long storedElements = users.keySet().stream().mapToLong(k -> numel(stored.get(k))).sum();
            assertThat(storedElements).as(part.label()).isEqualTo(expectedCounts.get(part));
        }
    }

    @Test
    void matchesThePublishedStructureOfSdXlBase10() {
        Map<String, long[]> stored = storedShapes();
        assertThat(stored).hasSize(2_515 - 2);
        Map<String, Integer> namespaces = new TreeMap<>();
        Map<Integer, Integer> ranks = new TreeMap<>();
        long elements = 0;
        for (Map.Entry<String, long[]> e : stored.entrySet()) {
            namespaces.merge(e.getKey().substring(0, e.getKey().indexOf('.')), 1, Integer::sum);
            ranks.merge(e.getValue().length, 1, Integer::sum);
            elements += numel(e.getValue());
        }
        assertThat(namespaces).containsExactlyInAnyOrderEntriesOf(
                Map.of("model", 1_680, "first_stage_model", 248, "conditioner", 587 - 2));
        // the VAE's 8 attention projections are among the 123 four-dimensional tensors: stored as 1×1 convolutions
        assertThat(ranks).containsExactlyInAnyOrderEntriesOf(Map.of(1, 1_442, 2, 949 - 1, 4, 123));
        assertThat(2 * (elements + UNSKIPPED_BUFFER_ELEMENTS)).isEqualTo(6_937_675_890L);
        assertThat(stored.get("conditioner.embedders.0.transformer.text_model.embeddings.position_embedding.weight")).containsExactly(77, 768);
        assertThat(stored.get("conditioner.embedders.0.transformer.text_model.embeddings.token_embedding.weight")).containsExactly(49408, 768);
        assertThat(stored.get("conditioner.embedders.1.model.text_projection")).containsExactly(1280, 1280);
        assertThat(stored.get("conditioner.embedders.1.model.token_embedding.weight")).containsExactly(49408, 1280);
        assertThat(stored.get("first_stage_model.decoder.conv_out.weight")).containsExactly(3, 128, 3, 3);
        assertThat(stored.get("first_stage_model.encoder.conv_in.weight")).containsExactly(128, 3, 3, 3);
        assertThat(stored.get("model.diffusion_model.input_blocks.0.0.weight")).containsExactly(320, 4, 3, 3);
        assertThat(stored.get("model.diffusion_model.label_emb.0.0.weight")).containsExactly(1280, 2816);
        assertThat(stored.get("model.diffusion_model.middle_block.1.transformer_blocks.0.attn2.to_k.weight")).containsExactly(1280, 2048);
        assertThat(stored.get("model.diffusion_model.out.2.weight")).containsExactly(4, 320, 3, 3);
        // names from the SGM UNet's structure: downsampler ops, upsampler convs after the attention, decoder levels
        assertThat(stored).containsKeys("model.diffusion_model.input_blocks.3.0.op.weight",
                "model.diffusion_model.input_blocks.6.0.op.bias", "model.diffusion_model.output_blocks.2.2.conv.weight",
                "model.diffusion_model.output_blocks.5.2.conv.weight", "model.diffusion_model.input_blocks.7.1.transformer_blocks.9.ff.net.2.weight",
                "first_stage_model.decoder.up.3.upsample.conv.weight", "first_stage_model.decoder.up.1.block.0.nin_shortcut.weight",
                "first_stage_model.encoder.down.2.block.0.nin_shortcut.weight", "first_stage_model.decoder.mid.attn_1.proj_out.weight",
                "conditioner.embedders.1.model.transformer.resblocks.31.attn.in_proj_weight");
        assertThat(stored).doesNotContainKeys("first_stage_model.decoder.up.0.upsample.conv.weight",
                "first_stage_model.encoder.down.3.downsample.conv.weight", "model.diffusion_model.output_blocks.8.2.conv.weight");
        assertThat(stored.get("first_stage_model.encoder.mid.attn_1.q.weight")).containsExactly(512, 512, 1, 1);
        assertThat(stored.get("conditioner.embedders.1.model.transformer.resblocks.0.attn.in_proj_weight")).containsExactly(3840, 1280);
    }

    /** Every stored key with its shape in the file (a packed in_proj once). */
    private Map<String, long[]> storedShapes() {
        Map<String, long[]> stored = new HashMap<>();
        for (SingleFileLayout.Part part : layout.parts()) {
            Map<String, Parameter> params = layout.module(part).namedParameters();
            layout.keys(part).forEach((name, key) ->
                    stored.put(key.key(), key.storedAs().storedShape(params.get(name).shape().getShape())));
        }
        return stored;
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }
}
