package io.moslora.sdxl.single;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * diffusers' {@code AutoencoderKL} parameter names → the original LDM names single-file checkpoints store under
 * {@code first_stage_model.}: {@code down_blocks.N.resnets.M} is {@code down.N.block.M} ({@code conv_shortcut} is
 * {@code nin_shortcut}), the mid block's resnets are {@code mid.block_1/2} and its attention {@code mid.attn_1} with
 * {@code norm, q, k, v, proj_out} (1×1 convolutions there), {@code conv_norm_out} is {@code norm_out}, and the decoder's
 * {@code up_blocks.i} is {@code up.(n-1-i)}: LDM numbers its up levels from the finest resolution, diffusers in the
 * order it runs them.
 */
final class LdmVaeNames {
    private static final Pattern RESNET = Pattern.compile("(encoder|decoder)\\.(down|up)_blocks\\.(\\d+)\\.resnets\\.(\\d+)\\.(.+)");
    private static final Pattern SAMPLER = Pattern.compile("(encoder|decoder)\\.(down|up)_blocks\\.(\\d+)\\.(down|up)samplers\\.0\\.(.+)");
    private static final Pattern MID_RESNET = Pattern.compile("(encoder|decoder)\\.mid_block\\.resnets\\.(\\d)\\.(.+)");
    private static final Pattern MID_ATTENTION = Pattern.compile("(encoder|decoder)\\.mid_block\\.attentions\\.0\\.([a-z_]+(?:\\.0)?)\\.(weight|bias)");
    private static final Map<String, String> ATTENTION_PARTS = Map.of("group_norm", "norm", "to_q", "q", "to_k", "k",
            "to_v", "v", "to_out.0", "proj_out");

    private final int levels;

    /** {@code levels}: the number of {@code block_out_channels}. */
    LdmVaeNames(int levels) {
        this.levels = levels;
    }

    Optional<SingleFileKey> toLdm(String name) {
        Matcher m = RESNET.matcher(name);
        if (m.matches()) {
            String part = m.group(5).startsWith("conv_shortcut.") ? "nin_shortcut" + m.group(5).substring("conv_shortcut".length()) : m.group(5);
            return same(m.group(1) + "." + m.group(2) + "." + level(m.group(2), m.group(3)) + ".block." + m.group(4) + "." + part);
        }
        m = SAMPLER.matcher(name);
        if (m.matches()) {
            return same(m.group(1) + "." + m.group(2) + "." + level(m.group(2), m.group(3)) + "." + m.group(4) + "sample." + m.group(5));
        }
        m = MID_RESNET.matcher(name);
        if (m.matches()) {
            return same(m.group(1) + ".mid.block_" + (Integer.parseInt(m.group(2)) + 1) + "." + m.group(3));
        }
        m = MID_ATTENTION.matcher(name);
        if (m.matches() && ATTENTION_PARTS.containsKey(m.group(2))) {
            String part = ATTENTION_PARTS.get(m.group(2));
            boolean projection = !part.equals("norm") && m.group(3).equals("weight");
            return Optional.of(new SingleFileKey(m.group(1) + ".mid.attn_1." + part + "." + m.group(3),
                    projection ? StoredAs.CONV_1X1 : StoredAs.SAME));
        }
        if (name.matches("(encoder|decoder)\\.conv_norm_out\\..+")) return same(name.replace("conv_norm_out", "norm_out"));
        if (name.matches("(encoder|decoder)\\.conv_(in|out)\\..+|(post_)?quant_conv\\..+")) return same(name);
        return Optional.empty();
    }

    private String level(String direction, String index) {
        int i = Integer.parseInt(index);
        return String.valueOf(direction.equals("up") ? levels - 1 - i : i);
    }

    private static Optional<SingleFileKey> same(String key) {
        return Optional.of(SingleFileKey.same(key));
    }
}
