package io.moslora.sdxl.single;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HF {@code CLIPTextModelWithProjection} parameter names → OpenCLIP's, as SDXL single files store text encoder 2
 * under {@code conditioner.embedders.1.model.}: {@code transformer.resblocks.N.{ln_1, ln_2, attn.out_proj, mlp.c_fc,
 * mlp.c_proj}}, q/k/v packed into {@code attn.in_proj_weight/bias}, {@code token_embedding.weight},
 * {@code positional_embedding} (a bare tensor), {@code ln_final} and {@code text_projection} stored transposed.
 */
final class OpenClipTextNames {
    private static final Pattern LAYER = Pattern.compile("text_model\\.encoder\\.layers\\.(\\d+)\\.([a-z_0-9]+(?:\\.[a-z_0-9]+)?)\\.(weight|bias)");
    private static final Map<String, String> LAYER_PARTS = Map.of("layer_norm1", "ln_1", "layer_norm2", "ln_2",
            "self_attn.out_proj", "attn.out_proj", "mlp.fc1", "mlp.c_fc", "mlp.fc2", "mlp.c_proj");
    private static final Map<String, StoredAs> PROJECTIONS = Map.of("self_attn.q_proj", StoredAs.IN_PROJ_Q,
            "self_attn.k_proj", StoredAs.IN_PROJ_K, "self_attn.v_proj", StoredAs.IN_PROJ_V);

    private OpenClipTextNames() {}

    static Optional<SingleFileKey> toOpenClip(String name) {
        switch (name) {
            case "text_model.embeddings.token_embedding.weight": return same("token_embedding.weight");
            case "text_model.embeddings.position_embedding.weight": return same("positional_embedding");
            case "text_model.final_layer_norm.weight": return same("ln_final.weight");
            case "text_model.final_layer_norm.bias": return same("ln_final.bias");
            case "text_projection.weight": return Optional.of(new SingleFileKey("text_projection", StoredAs.TRANSPOSED));
            default: break;
        }
        Matcher m = LAYER.matcher(name);
        if (!m.matches()) return Optional.empty();
        String block = "transformer.resblocks." + m.group(1) + ".";
        if (LAYER_PARTS.containsKey(m.group(2))) return same(block + LAYER_PARTS.get(m.group(2)) + "." + m.group(3));
        if (PROJECTIONS.containsKey(m.group(2))) {
            return Optional.of(new SingleFileKey(block + "attn.in_proj_" + m.group(3), PROJECTIONS.get(m.group(2))));
        }
        return Optional.empty();
    }

    private static Optional<SingleFileKey> same(String key) {
        return Optional.of(SingleFileKey.same(key));
    }
}
