package io.moslora.sdxl.lora;

import io.moslora.config.UNet2DConditionConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * diffusers' UNet module paths ↔ the original SGM/LDM names ({@code input_blocks.4.1.transformer_blocks.0.attn1.to_q},
 * {@code middle_block.1}, {@code output_blocks.2.2.conv}) that single-file SDXL checkpoints, kohya's sd-scripts,
 * A1111/Forge and ComfyUI use. The layout is derived from the config, so tiny UNets map as SDXL does:
 * <ul>
 *   <li>{@code input_blocks.0} is {@code conv_in}; then each down block gives one input block per layer
 *       ({@code .0} its resnet, {@code .1} its transformer when the block has cross-attention) and, except the last,
 *       one more for its downsampler ({@code .0.op});</li>
 *   <li>{@code middle_block.0/1/2} are the mid block's resnet, transformer, resnet;</li>
 *   <li>each up block gives {@code layers_per_block + 1} output blocks ({@code .0} resnet, {@code .1} transformer if
 *       any, then the upsampler after the last layer of every block but the last);</li>
 *   <li>resnet parts are renamed ({@code norm1 → in_layers.0}, {@code conv1 → in_layers.2},
 *       {@code time_emb_proj → emb_layers.1}, {@code norm2 → out_layers.0}, {@code conv2 → out_layers.3},
 *       {@code conv_shortcut → skip_connection}); transformer insides keep their names, whatever
 *       {@code transformer_layers_per_block} is.</li>
 * </ul>
 */
public final class SgmUNetNames {
    private static final Map<String, String> RESNET_PARTS = Map.of("norm1", "in_layers.0", "conv1", "in_layers.2",
            "time_emb_proj", "emb_layers.1", "norm2", "out_layers.0", "conv2", "out_layers.3",
            "conv_shortcut", "skip_connection");
    private static final Map<String, String> DOWNSAMPLER_PARTS = Map.of("conv", "op");
    private static final Map<String, String> SAME = Map.of();

    /** One block-level correspondence and how the names inside it change (first path segment only). */
    private record Block(String diffusers, String sgm, Map<String, String> parts) {}

    private final List<Block> blocks;

    private SgmUNetNames(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    public static SgmUNetNames of(UNet2DConditionConfig c) {
        List<Block> b = new ArrayList<>();
        b.add(new Block("conv_in", "input_blocks.0.0", SAME));
        b.add(new Block("time_embedding.linear_1", "time_embed.0", SAME));
        b.add(new Block("time_embedding.linear_2", "time_embed.2", SAME));
        if ("text_time".equals(c.additionEmbedType())) {
            b.add(new Block("add_embedding.linear_1", "label_emb.0.0", SAME));
            b.add(new Block("add_embedding.linear_2", "label_emb.0.2", SAME));
        }
        int count = c.blockOutChannels().size();
        int input = 1;
        for (int d = 0; d < count; d++) {
            boolean attention = c.downBlockTypes().get(d).startsWith("CrossAttn");
            for (int j = 0; j < c.layersPerBlock().get(d); j++, input++) {
                b.add(new Block("down_blocks." + d + ".resnets." + j, "input_blocks." + input + ".0", RESNET_PARTS));
                if (attention) {
                    b.add(new Block("down_blocks." + d + ".attentions." + j, "input_blocks." + input + ".1", SAME));
                }
            }
            if (d < count - 1) {
                b.add(new Block("down_blocks." + d + ".downsamplers.0", "input_blocks." + input + ".0", DOWNSAMPLER_PARTS));
                input++;
            }
        }
        b.add(new Block("mid_block.resnets.0", "middle_block.0", RESNET_PARTS));
        b.add(new Block("mid_block.attentions.0", "middle_block.1", SAME));
        b.add(new Block("mid_block.resnets.1", "middle_block.2", RESNET_PARTS));
        int output = 0;
        for (int u = 0; u < count; u++) {
            boolean attention = c.upBlockTypes().get(u).startsWith("CrossAttn");
            int layers = c.layersPerBlock().get(count - 1 - u) + 1; // as the model builds its up blocks
            for (int j = 0; j < layers; j++, output++) {
                b.add(new Block("up_blocks." + u + ".resnets." + j, "output_blocks." + output + ".0", RESNET_PARTS));
                if (attention) {
                    b.add(new Block("up_blocks." + u + ".attentions." + j, "output_blocks." + output + ".1", SAME));
                }
                if (j == layers - 1 && u < count - 1) {
                    b.add(new Block("up_blocks." + u + ".upsamplers.0",
                            "output_blocks." + output + "." + (attention ? 2 : 1), SAME));
                }
            }
        }
        b.add(new Block("conv_norm_out", "out.0", SAME));
        b.add(new Block("conv_out", "out.2", SAME));
        return new SgmUNetNames(b);
    }

    /** The SGM name of a diffusers UNet path (a module or a parameter), if the path lies in a known block. */
    public Optional<String> toSgm(String diffusersPath) {
        for (Block b : blocks) {
            Optional<String> r = rename(diffusersPath, b.diffusers(), b.sgm(), b.parts());
            if (r.isPresent()) return r;
        }
        return Optional.empty();
    }

    /** The diffusers path of an SGM UNet name, if the name lies in a known block. */
    public Optional<String> toDiffusers(String sgmPath) {
        for (Block b : blocks) {
            Optional<String> r = rename(sgmPath, b.sgm(), b.diffusers(), inverse(b.parts()));
            if (r.isPresent()) return r;
        }
        return Optional.empty();
    }

    private static Optional<String> rename(String path, String from, String to, Map<String, String> parts) {
        if (path.equals(from)) return Optional.of(to);
        if (!path.startsWith(from + ".")) return Optional.empty();
        String rest = path.substring(from.length() + 1);
        for (Map.Entry<String, String> p : parts.entrySet()) { // whole segments only: conv1 is not conv
            String name = p.getKey();
            if (rest.equals(name) || rest.startsWith(name + ".")) {
                return Optional.of(to + "." + p.getValue() + rest.substring(name.length()));
            }
        }
        return Optional.of(to + "." + rest);
    }

    private static Map<String, String> inverse(Map<String, String> parts) {
        Map<String, String> inv = new HashMap<>();
        parts.forEach((k, v) -> inv.put(v, k));
        return inv;
    }
}
