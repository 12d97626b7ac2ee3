package io.moslora.sdxl.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.cli.Cli;
import io.moslora.config.SdxlPipelineConfig;
import io.moslora.adapters.cli.ParamsCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Shape-only SDXL base 1.0 (the real config files) counted against PyTorch's {@code sum(p.numel())}. */
class SdxlParameterCountsTest {
    /** stabilityai/stable-diffusion-xl-base-1.0's five config files, kept as fixtures by shared-adapters. */
    static final Path SDXL_BASE = Path.of("../shared-adapters/src/test/resources/configs/sdxl-base-1.0");

    private final SdxlPipelineConfig config = SdxlPipelineConfig.load(SDXL_BASE);

    @Test
    void unetHasPyTorchsCount() {
        UNet2DConditionModel unet = new UNet2DConditionModel(config.unet());
        assertThat(unet.parameterCount()).isEqualTo(2_567_463_684L);
        assertThat(unet.namedParameters()).containsKeys(
                "conv_in.weight", "time_embedding.linear_1.weight", "add_embedding.linear_1.weight",
                "down_blocks.0.resnets.1.time_emb_proj.weight", "down_blocks.0.downsamplers.0.conv.weight",
                "down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.weight",
                "down_blocks.2.attentions.1.transformer_blocks.9.attn2.to_k.weight",
                "down_blocks.1.attentions.0.transformer_blocks.1.ff.net.0.proj.weight",
                "down_blocks.1.attentions.0.transformer_blocks.1.ff.net.2.bias",
                "down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_out.0.bias",
                "mid_block.attentions.0.transformer_blocks.9.norm3.weight", "mid_block.resnets.1.conv2.weight",
                "up_blocks.0.attentions.2.proj_out.weight", "up_blocks.0.resnets.2.conv_shortcut.weight",
                "up_blocks.1.upsamplers.0.conv.weight", "up_blocks.2.resnets.2.conv1.weight",
                "conv_norm_out.weight", "conv_out.bias");
        assertThat(unet.namedParameters()).doesNotContainKeys("down_blocks.2.downsamplers.0.conv.weight",
                "down_blocks.0.attentions.0.norm.weight", "up_blocks.2.upsamplers.0.conv.weight",
                "down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.bias");
        // cross-attention reads the 2048-wide text tokens; add_embedding the 1280 + 6·256 added conditions
        assertThat(unet.namedParameters().get("down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight").shape()
                .getShape()).containsExactly(640, 2048);
        assertThat(unet.namedParameters().get("add_embedding.linear_1.weight").shape().getShape()).containsExactly(1280, 2816);
        assertThat(unet.namedParameters().get("up_blocks.0.resnets.0.conv1.weight").shape().getShape())
                .containsExactly(1280, 2560, 3, 3);
        assertThat(unet.namedParameters().get("up_blocks.2.resnets.0.conv1.weight").shape().getShape())
                .containsExactly(320, 960, 3, 3);
    }

    @Test
    void vaeHasPyTorchsCount() {
        AutoencoderKL vae = new AutoencoderKL(config.vae());
        assertThat(vae.parameterCount()).isEqualTo(83_653_863L);
        assertThat(vae.namedParameters()).containsKeys("encoder.mid_block.attentions.0.to_q.weight",
                "encoder.mid_block.attentions.0.to_out.0.bias", "encoder.mid_block.attentions.0.group_norm.weight",
                "encoder.down_blocks.0.downsamplers.0.conv.weight", "encoder.down_blocks.1.resnets.0.conv_shortcut.weight",
                "quant_conv.weight", "post_quant_conv.bias", "decoder.up_blocks.3.resnets.2.conv2.weight",
                "decoder.up_blocks.0.upsamplers.0.conv.weight", "decoder.conv_out.weight");
    }

    @Test
    void textEncodersHavePyTorchsCounts() {
        ClipTextModel vitL = new ClipTextModel(config.textEncoder());
        ClipTextModel bigG = new ClipTextModel(config.textEncoder2());
        assertThat(vitL.parameterCount()).isEqualTo(123_060_480L);
        assertThat(bigG.parameterCount()).isEqualTo(694_659_840L);
        assertThat(bigG.namedParameters()).containsKeys("text_projection.weight",
                "text_model.encoder.layers.31.self_attn.out_proj.bias", "text_model.final_layer_norm.weight")
                .doesNotContainKey("text_projection.bias");
        assertThat(vitL.namedParameters()).doesNotContainKey("text_projection.weight");
    }

    /**
     * ViT-L by hand: embeddings 49408·768 + 77·768; per layer 4·(768² + 768) attention, 768·3072 + 3072 + 3072·768
     * + 768 MLP, 2·2·768 norms; twelve layers; final norm 2·768.
     */
    @Test
    void textEncoderCountByArithmetic() {
        long h = 768, f = 3072;
        long layer = 4 * (h * h + h) + (h * f + f) + (f * h + h) + 4 * h;
        assertThat(49408 * h + 77 * h + 12 * layer + 2 * h).isEqualTo(123_060_480L);
        long g = 1280, gf = 5120;
        long gLayer = 4 * (g * g + g) + (g * gf + gf) + (gf * g + g) + 4 * g;
        assertThat(49408 * g + 77 * g + 32 * gLayer + 2 * g + 1280 * g).isEqualTo(694_659_840L);
    }

    @Test
    void paramsCommandCountsEveryComponent() {
        assertThat(params("unet")).contains("\"base_params\":2567463684");
        assertThat(params("vae")).contains("\"base_params\":83653863");
        assertThat(params("text_encoder")).contains("\"base_params\":123060480");
        assertThat(params("text_encoder_2")).contains("\"base_params\":694659840");
    }

    /**
     * DreamBooth LoRA rank 4 on to_q, to_k, to_v, to_out.0: each transformer block of width d with 2048-wide text
     * has r·(8d) in attn1 and r·(6d + 2·2048) in attn2; SDXL has 10 blocks of width 640 and 60 of width 1280.
     */
    @Test
    void dreamBoothLoraRank4AdapterCount() {
        long perRank = 10 * (14 * 640 + 2 * 2048) + 60 * (14 * 1280 + 2 * 2048);
        assertThat(4 * perRank).isEqualTo(5_806_080L);
        assertThat(params("unet", "--adapter", "lora", "--rank", "4", "--targets", "to_q,to_k,to_v,to_out.0"))
                .contains("\"adapter_params\":5806080");
    }

    private static String params(String component, String... more) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = new String[3 + more.length];
        args[0] = "--config";
        args[1] = SDXL_BASE.resolve(component).toString();
        args[2] = "--json";
        System.arraycopy(more, 0, args, 3, more.length);
        int code = Cli.run(new ParamsCommand(), new PrintWriter(out), new PrintWriter(err), args);
        assertThat(code).as(err.toString()).isZero();
        return out.toString();
    }
}
