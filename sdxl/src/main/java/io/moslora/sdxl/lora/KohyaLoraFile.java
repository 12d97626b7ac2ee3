package io.moslora.sdxl.lora;

import io.moslora.cli.UserError;
import io.moslora.config.SdxlPipelineConfig;
import io.moslora.io.DType;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SafetensorsWriter;
import io.moslora.nn.Module;
import io.moslora.sdxl.model.ClipTextModel;
import io.moslora.sdxl.model.UNet2DConditionModel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The kohya LoRA file (sd-scripts' {@code networks/lora.py}, read by A1111/Forge, ComfyUI, SD.Next, InvokeAI): per
 * layer {@code <name>.lora_down.weight} (A), {@code <name>.lora_up.weight} (B) and a scalar {@code <name>.alpha}
 * (scale α/rank), where the name is a prefix plus the module path with every dot made an underscore —
 * {@code lora_unet_} + the UNet's SGM name ({@code lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q}),
 * {@code lora_te1_} / {@code lora_te2_} + the text encoders' transformers path
 * ({@code lora_te2_text_model_encoder_layers_0_self_attn_q_proj}). Underscores are ambiguous, so reading matches each
 * name against every module the config builds, under its SGM name and under its diffusers name (the form older
 * tools and our earlier files wrote, which ComfyUI also accepts); {@code lora_te_} is read as the first encoder.
 */
public final class KohyaLoraFile {
    private static final String DOWN = ".lora_down.weight";
    private static final String UP = ".lora_up.weight";
    private static final String ALPHA = ".alpha";

    private KohyaLoraFile() {}

    private record Target(SdxlComponent component, String module) {}

    public static void write(SdxlLora lora, SgmUNetNames unetNames, Path target) {
        lora.requirePlainLora("a kohya LoRA file");
        SafetensorsWriter w = new SafetensorsWriter();
        for (SdxlLora.Component c : lora.components().values()) {
            for (SdxlLora.Factors f : c.layers()) {
                String module = f.module();
                if (c.component() == SdxlComponent.UNET) {
                    module = unetNames.toSgm(module).orElseThrow(() -> new UserError(c.file().path() + ": UNet layer "
                            + f.module() + " has no SGM name (not in any block of this UNet's config)"));
                }
                String name = c.component().kohyaPrefix() + module.replace('.', '_');
                w.copyFrom(c.file(), f.a(), name + DOWN);
                w.copyFrom(c.file(), f.b(), name + UP);
                w.addFloats(name + ALPHA, new long[0], new float[] {(float) c.config().alpha()}, DType.F32);
            }
        }
        w.write(target);
    }

    static boolean isKohya(SafetensorsFile file) {
        return !file.names().isEmpty() && file.names().stream().allMatch(k -> k.startsWith("lora_unet_")
                || k.startsWith("lora_te_") || k.startsWith("lora_te1_") || k.startsWith("lora_te2_"));
    }

    static SdxlLora read(SafetensorsFile file, SdxlPipelineConfig config) {
        Map<String, Target> names = names(config);
        SingleFileLayers layers = new SingleFileLayers(file);
        for (String key : file.names()) {
            String suffix = key.endsWith(DOWN) ? DOWN : key.endsWith(UP) ? UP : key.endsWith(ALPHA) ? ALPHA : null;
            if (suffix == null) {
                throw new UserError(file.path() + ": tensor " + key + " is not .lora_down.weight, .lora_up.weight or "
                        + ".alpha (LoCon/LoHa/DoRA parts are not supported)");
            }
            String name = key.substring(0, key.length() - suffix.length());
            Target t = names.get(name);
            if (t == null) {
                throw new UserError(file.path() + ": tensor " + key + ": " + name + " is no layer of this SDXL "
                        + "(neither an SGM nor a diffusers UNet name, nor a text encoder path)");
            }
            switch (suffix) {
                case DOWN -> layers.down(t.component(), t.module(), key);
                case UP -> layers.up(t.component(), t.module(), key);
                default -> layers.alpha(t.component(), t.module(), key);
            }
        }
        return layers.finish();
    }

    /** Every kohya layer name this pipeline's modules can have, to the module it means. */
    private static Map<String, Target> names(SdxlPipelineConfig config) {
        Map<String, Target> out = new HashMap<>();
        SgmUNetNames sgm = SgmUNetNames.of(config.unet());
        for (String path : new UNet2DConditionModel(config.unet()).namedModules().keySet()) {
            if (path.isEmpty()) continue;
            Target t = new Target(SdxlComponent.UNET, path);
            out.put(SdxlComponent.UNET.kohyaPrefix() + path.replace('.', '_'), t);
            sgm.toSgm(path).ifPresent(s -> out.put(SdxlComponent.UNET.kohyaPrefix() + s.replace('.', '_'), t));
        }
        addText(out, new ClipTextModel(config.textEncoder()), SdxlComponent.TEXT_ENCODER, "lora_te_");
        addText(out, new ClipTextModel(config.textEncoder2()), SdxlComponent.TEXT_ENCODER_2, null);
        return out;
    }

    private static void addText(Map<String, Target> out, Module encoder, SdxlComponent c, String alsoPrefix) {
        for (String path : encoder.namedModules().keySet()) {
            if (path.isEmpty()) continue;
            String underscored = path.replace('.', '_');
            out.put(c.kohyaPrefix() + underscored, new Target(c, path));
            if (alsoPrefix != null) out.put(alsoPrefix + underscored, new Target(c, path));
        }
    }
}
