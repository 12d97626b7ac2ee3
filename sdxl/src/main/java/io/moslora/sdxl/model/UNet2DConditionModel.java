package io.moslora.sdxl.model;

import ai.djl.ndarray.NDArray;
import io.moslora.cli.UserError;
import io.moslora.config.UNet2DConditionConfig;
import io.moslora.engine.Ops;
import io.moslora.nn.Conv2d;
import io.moslora.nn.GroupNorm;
import io.moslora.nn.Module;
import io.moslora.nn.ModuleList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * diffusers' {@code UNet2DConditionModel} for the configs of the Stable Diffusion family (SDXL and smaller ones),
 * with diffusers' state-dict names. The noise prediction for latents at a timestep, conditioned on text tokens
 * through cross-attention and, with {@code addition_embed_type: "text_time"} (SDXL), on the pooled text
 * embedding and the six micro-conditioning time ids added to the time embedding.
 */
public final class UNet2DConditionModel extends Module {
    private final UNet2DConditionConfig config;
    private final Timesteps timeProj;
    private final Timesteps addTimeProj;

    public UNet2DConditionModel(UNet2DConditionConfig c) {
        this.config = c;
        checkSupported(c);
        List<Integer> channels = c.blockOutChannels();
        int blocks = channels.size();
        int groups = c.normNumGroups();
        long temb = c.timeEmbedDim();
        int pad = (c.convInKernel() - 1) / 2;
        timeProj = new Timesteps(channels.get(0), c.flipSinToCos(), c.freqShift());
        addChild("conv_in", new Conv2d(c.inChannels(), channels.get(0), c.convInKernel(), 1, pad, true));
        addChild("time_embedding", new TimestepEmbedding(c.timestepInputDim(), temb));
        if ("text_time".equals(c.additionEmbedType())) {
            addTimeProj = new Timesteps(c.additionTimeEmbedDim(), c.flipSinToCos(), c.freqShift());
            addChild("add_embedding", new TimestepEmbedding(c.projectionClassEmbeddingsInputDim(), temb));
        } else {
            addTimeProj = null;
        }
        UNetBlockSettings s = new UNetBlockSettings(temb, groups, c.normEps(), c.resnetOutScaleFactor(),
                c.useLinearProjection());
        ModuleList<UNetDownBlock> down = addChild("down_blocks", new ModuleList<>());
        long out = channels.get(0);
        for (int i = 0; i < blocks; i++) {
            long in = out;
            out = channels.get(i);
            boolean last = i == blocks - 1;
            down.add(new UNetDownBlock(s, in, out, c.layersPerBlock().get(i), isCrossAttn(c.downBlockTypes().get(i)),
                    c.headsPerBlock().get(i), c.transformerLayersPerBlock().get(i), c.crossAttentionDim().get(i),
                    !last, c.downsamplePadding()));
        }
        long deepest = channels.get(blocks - 1);
        addChild("mid_block", new UNetMidBlock2DCrossAttn(s, deepest, c.headsPerBlock().get(blocks - 1),
                c.transformerLayersPerBlock().get(blocks - 1), c.crossAttentionDim().get(blocks - 1)));
        ModuleList<UNetUpBlock> up = addChild("up_blocks", new ModuleList<>());
        out = deepest;
        for (int i = 0; i < blocks; i++) {
            int mirror = blocks - 1 - i; // the down block this up block answers
            long prev = out;
            out = channels.get(mirror);
            long in = channels.get(Math.max(mirror - 1, 0));
            boolean last = i == blocks - 1;
            up.add(new UNetUpBlock(s, in, prev, out, c.layersPerBlock().get(mirror) + 1,
                    isCrossAttn(c.upBlockTypes().get(i)), c.headsPerBlock().get(mirror),
                    c.transformerLayersPerBlock().get(mirror), c.crossAttentionDim().get(mirror), !last));
        }
        addChild("conv_norm_out", new GroupNorm(groups, channels.get(0), c.normEps()));
        addChild("conv_out", new Conv2d(channels.get(0), c.outChannels(), c.convOutKernel(), 1, (c.convOutKernel() - 1) / 2, true));
    }

    public UNet2DConditionConfig config() {
        return config;
    }

    private static boolean isCrossAttn(String type) {
        return type.startsWith("CrossAttn");
    }

    private static void checkSupported(UNet2DConditionConfig c) {
        for (String t : c.downBlockTypes()) {
            if (!t.equals("DownBlock2D") && !t.equals("CrossAttnDownBlock2D")) {
                throw unsupported("down_block_types", t);
            }
        }
        for (String t : c.upBlockTypes()) {
            if (!t.equals("UpBlock2D") && !t.equals("CrossAttnUpBlock2D")) {
                throw unsupported("up_block_types", t);
            }
        }
        if (!"UNetMidBlock2DCrossAttn".equals(c.midBlockType())) throw unsupported("mid_block_type", c.midBlockType());
        if (!c.timeEmbeddingType().equals("positional")) throw unsupported("time_embedding_type", c.timeEmbeddingType());
        if (c.classEmbedType() != null || c.numClassEmbeds() != null) throw unsupported("class_embed_type", c.classEmbedType());
        if (c.additionEmbedType() != null && !c.additionEmbedType().equals("text_time")) {
            throw unsupported("addition_embed_type", c.additionEmbedType());
        }
        if (c.encoderHidDim() != null) throw unsupported("encoder_hid_dim", String.valueOf(c.encoderHidDim()));
        if (!c.resnetTimeScaleShift().equals("default")) throw unsupported("resnet_time_scale_shift", c.resnetTimeScaleShift());
        if (c.timeEmbeddingActFn() != null) throw unsupported("time_embedding_act_fn", c.timeEmbeddingActFn());
        if (c.timeCondProjDim() != null) throw unsupported("time_cond_proj_dim", String.valueOf(c.timeCondProjDim()));
        if (!c.actFn().equals("silu")) throw unsupported("act_fn", c.actFn());
        if (c.dualCrossAttention() || c.onlyCrossAttention().contains(true)) throw unsupported("only_cross_attention", "true");
        if (c.normNumGroups() == null) throw unsupported("norm_num_groups", "null");
    }

    private static UserError unsupported(String field, String value) {
        return new UserError("unet/config.json: field " + field + ": \"" + value + "\" is not supported by this UNet "
                + "(it builds the SD/SDXL family: DownBlock2D, CrossAttnDownBlock2D, UNetMidBlock2DCrossAttn, "
                + "positional time embedding, optional text_time conditioning)");
    }

    /**
     * The noise (or v) prediction.
     *
     * @param latents [B, in, H, W]
     * @param timesteps [B] (float or int)
     * @param context the text tokens [B, S, cross_attention_dim]
     * @param textEmbeds pooled text embedding [B, P] ("text_time" only, else null)
     * @param timeIds micro-conditioning [B, 6] ("text_time" only, else null)
     */
    public NDArray forward(NDArray latents, NDArray timesteps, NDArray context, NDArray textEmbeds, NDArray timeIds) {
        long batch = latents.getShape().get(0);
        NDArray t = timesteps.getShape().dimension() == 0 ? timesteps.reshape(1).repeat(0, batch) : timesteps;
        NDArray emb = ((TimestepEmbedding) child("time_embedding")).forward(timeProj.embed(t).toType(latents.getDataType(), false));
        if (addTimeProj != null) {
            if (textEmbeds == null || timeIds == null) {
                throw new IllegalArgumentException("this UNet (addition_embed_type \"text_time\") needs text_embeds and time_ids");
            }
            NDArray timeFeatures = addTimeProj.embed(timeIds.flatten()).reshape(batch, -1).toType(latents.getDataType(), false);
            NDArray added = textEmbeds.concat(timeFeatures, 1);
            emb = emb.add(((TimestepEmbedding) child("add_embedding")).forward(added));
        }
        NDArray x = layer("conv_in").forward(latents);
        Deque<NDArray> skips = new ArrayDeque<>();
        skips.push(x);
        ModuleList<?> down = (ModuleList<?>) child("down_blocks");
        for (int i = 0; i < down.size(); i++) {
            List<NDArray> states = ((UNetDownBlock) down.get(i)).forward(x, emb, context);
            states.forEach(skips::push);
            x = states.get(states.size() - 1);
        }
        x = ((UNetMidBlock2DCrossAttn) child("mid_block")).forward(x, emb, context);
        ModuleList<?> up = (ModuleList<?>) child("up_blocks");
        for (int i = 0; i < up.size(); i++) {
            x = ((UNetUpBlock) up.get(i)).forward(x, skips, emb, context);
        }
        x = Ops.silu(layer("conv_norm_out").forward(x));
        return layer("conv_out").forward(x);
    }
}
