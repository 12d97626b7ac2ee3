package io.moslora.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * diffusers' {@code UNet2DConditionModel} config ({@code _class_name: UNet2DConditionModel}, a {@code unet/config.json}),
 * with the defaults of its {@code __init__} (Stable Diffusion 1.x's shape).
 *
 * <p>Fields that diffusers accepts either as one value or as one value per down block ({@code layers_per_block},
 * {@code transformer_layers_per_block}, {@code attention_head_dim}, {@code cross_attention_dim},
 * {@code only_cross_attention}) are stored expanded to one entry per down block, as the model expands them.
 *
 * <p>Naming trap kept from diffusers: {@code attention_head_dim} holds the number of attention <em>heads</em>
 * per block (SDXL: 5, 10, 20); {@code num_attention_heads} must be left out. See {@link #headsPerBlock()}.
 */
public record UNet2DConditionConfig(
        Integer sampleSize,
        int inChannels,
        int outChannels,
        boolean centerInputSample,
        boolean flipSinToCos,
        int freqShift,
        List<String> downBlockTypes,
        String midBlockType,
        List<String> upBlockTypes,
        List<Boolean> onlyCrossAttention,
        List<Integer> blockOutChannels,
        List<Integer> layersPerBlock,
        int downsamplePadding,
        double midBlockScaleFactor,
        double dropout,
        String actFn,
        Integer normNumGroups,
        double normEps,
        List<Integer> crossAttentionDim,
        List<Integer> transformerLayersPerBlock,
        Integer encoderHidDim,
        String encoderHidDimType,
        List<Integer> attentionHeadDim,
        boolean dualCrossAttention,
        boolean useLinearProjection,
        String classEmbedType,
        String additionEmbedType,
        Integer additionTimeEmbedDim,
        Integer numClassEmbeds,
        boolean upcastAttention,
        String resnetTimeScaleShift,
        boolean resnetSkipTimeAct,
        double resnetOutScaleFactor,
        String timeEmbeddingType,
        Integer timeEmbeddingDim,
        String timeEmbeddingActFn,
        String timestepPostAct,
        Integer timeCondProjDim,
        int convInKernel,
        int convOutKernel,
        Integer projectionClassEmbeddingsInputDim,
        String attentionType,
        boolean classEmbeddingsConcat,
        boolean midBlockOnlyCrossAttention,
        String crossAttentionNorm,
        int additionEmbedTypeNumHeads,
        Map<String, JsonNode> extra) implements HfConfig {

    public static final String CLASS_NAME = "UNet2DConditionModel";

    public static UNet2DConditionConfig fromJson(JsonNode json, Path source) {
        ConfigFields f = ConfigFields.top(json, source);
        f.ignore("_class_name");
        f.ignore("_diffusers_version");
        f.ignore("_name_or_path");
        List<String> down = f.strings("down_block_types", List.of(
                "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"));
        List<String> up = f.strings("up_block_types", List.of(
                "UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"));
        int blocks = down.size();
        if (up.size() != blocks) {
            throw f.error("up_block_types", "has " + up.size() + " entries but down_block_types has " + blocks);
        }
        List<Integer> channels = f.integers("block_out_channels", List.of(320, 640, 1280, 1280));
        if (channels.size() != blocks) {
            throw f.error("block_out_channels", "has " + channels.size() + " entries but down_block_types has " + blocks);
        }
        if (f.given("num_attention_heads")) {
            // diffusers' UNet2DConditionModel raises for it too (the head counts live in attention_head_dim).
            throw f.error("num_attention_heads", "UNet2DConditionModel does not accept it; "
                    + "give the number of heads per block in attention_head_dim");
        }
        f.ignore("num_attention_heads");
        if (f.given("reverse_transformer_layers_per_block")) {
            throw f.error("reverse_transformer_layers_per_block", "asymmetric UNets are not supported");
        }
        f.ignore("reverse_transformer_layers_per_block");
        JsonNode onlyCrossNode = f.has("only_cross_attention") ? f.node("only_cross_attention") : null;
        List<Boolean> onlyCross = perBlock(f, "only_cross_attention", f.boolOrBoolList("only_cross_attention",
                List.of(false)), blocks);
        Boolean midOnlyCross = f.optionalBool("mid_block_only_cross_attention", null);
        if (midOnlyCross == null) {
            // A single boolean only_cross_attention also applies to the mid block; a list does not.
            midOnlyCross = (onlyCrossNode == null || onlyCrossNode.isBoolean()) && onlyCross.get(0);
        }
        String additionEmbedType = f.optionalString("addition_embed_type", null);
        Integer additionTimeEmbedDim = f.optionalInteger("addition_time_embed_dim", null);
        Integer projectionInputDim = f.optionalInteger("projection_class_embeddings_input_dim", null);
        if ("text_time".equals(additionEmbedType)) {
            if (additionTimeEmbedDim == null) throw f.error("addition_time_embed_dim", "required when addition_embed_type is \"text_time\"");
            if (projectionInputDim == null) throw f.error("projection_class_embeddings_input_dim", "required when addition_embed_type is \"text_time\"");
        }
        Integer groups = f.optionalInteger("norm_num_groups", 32);
        if (groups != null) {
            for (int c : channels) {
                if (groups <= 0 || c % groups != 0) {
                    throw f.error("norm_num_groups", groups + " does not divide block_out_channels entry " + c);
                }
            }
        }
        JsonNode transformerLayers = f.has("transformer_layers_per_block") ? f.node("transformer_layers_per_block") : null;
        if (transformerLayers != null && transformerLayers.isArray()) {
            for (JsonNode n : transformerLayers) {
                if (n.isArray()) throw f.error("transformer_layers_per_block", "nested lists (asymmetric UNets) are not supported");
            }
        }
        Boolean upcast = f.optionalBool("upcast_attention", false);
        String timeEmbeddingType = f.string("time_embedding_type", "positional");
        if (!timeEmbeddingType.equals("positional") && !timeEmbeddingType.equals("fourier")) {
            throw f.error("time_embedding_type", "must be \"positional\" or \"fourier\", got \"" + timeEmbeddingType + "\"");
        }
        UNet2DConditionConfig c = new UNet2DConditionConfig(
                f.optionalInteger("sample_size", null),
                f.integer("in_channels", 4),
                f.integer("out_channels", 4),
                f.bool("center_input_sample", false),
                f.bool("flip_sin_to_cos", true),
                f.integer("freq_shift", 0),
                down,
                f.optionalString("mid_block_type", "UNetMidBlock2DCrossAttn"),
                up,
                onlyCross,
                channels,
                perBlock(f, "layers_per_block", f.intOrIntList("layers_per_block", List.of(2)), blocks),
                f.integer("downsample_padding", 1),
                f.real("mid_block_scale_factor", 1),
                f.real("dropout", 0.0),
                f.string("act_fn", "silu"),
                groups,
                f.real("norm_eps", 1e-5),
                perBlock(f, "cross_attention_dim", f.intOrIntList("cross_attention_dim", List.of(1280)), blocks),
                perBlock(f, "transformer_layers_per_block", f.intOrIntList("transformer_layers_per_block", List.of(1)), blocks),
                f.optionalInteger("encoder_hid_dim", null),
                f.optionalString("encoder_hid_dim_type", null),
                perBlock(f, "attention_head_dim", f.intOrIntList("attention_head_dim", List.of(8)), blocks),
                f.bool("dual_cross_attention", false),
                f.bool("use_linear_projection", false),
                f.optionalString("class_embed_type", null),
                additionEmbedType,
                additionTimeEmbedDim,
                f.optionalInteger("num_class_embeds", null),
                upcast != null && upcast,
                f.string("resnet_time_scale_shift", "default"),
                f.bool("resnet_skip_time_act", false),
                f.real("resnet_out_scale_factor", 1.0),
                timeEmbeddingType,
                f.optionalInteger("time_embedding_dim", null),
                f.optionalString("time_embedding_act_fn", null),
                f.optionalString("timestep_post_act", null),
                f.optionalInteger("time_cond_proj_dim", null),
                f.integer("conv_in_kernel", 3),
                f.integer("conv_out_kernel", 3),
                projectionInputDim,
                f.string("attention_type", "default"),
                f.bool("class_embeddings_concat", false),
                midOnlyCross,
                f.optionalString("cross_attention_norm", null),
                f.integer("addition_embed_type_num_heads", 64),
                f.extra());
        return c;
    }

    /** One value per down block: a single value is repeated, a list must have one entry per block. */
    private static <T> List<T> perBlock(ConfigFields f, String name, List<T> values, int blocks) {
        if (values == null) throw f.error(name, "must not be null");
        if (values.size() == blocks) return values;
        if (values.size() == 1 && !f.has(name)) return Collections.nCopies(blocks, values.get(0));
        JsonNode raw = f.node(name);
        if (raw != null && !raw.isArray()) return Collections.nCopies(blocks, values.get(0));
        throw f.error(name, "has " + values.size() + " entries but down_block_types has " + blocks);
    }

    @Override
    public String kind() {
        return CLASS_NAME;
    }

    /** Attention heads of each down block (diffusers: {@code num_attention_heads or attention_head_dim}). */
    public List<Integer> headsPerBlock() {
        return attentionHeadDim;
    }

    /**
     * Width of one attention head in down block {@code i}: channels / heads, rounded down as diffusers does
     * (64 in every SDXL block).
     */
    public int headDim(int i) {
        return blockOutChannels.get(i) / attentionHeadDim.get(i);
    }

    /** Width of the sinusoidal timestep features fed to the time embedding MLP. */
    public int timestepInputDim() {
        return timeEmbeddingType.equals("fourier") ? timeEmbedDim() : blockOutChannels.get(0);
    }

    /** Width of the time embedding: {@code time_embedding_dim}, else 4× (positional) or 2× (fourier) the first block. */
    public int timeEmbedDim() {
        if (timeEmbeddingDim != null) return timeEmbeddingDim;
        return blockOutChannels.get(0) * (timeEmbeddingType.equals("fourier") ? 2 : 4);
    }
}
