package io.moslora.sdxl.lora;

import io.moslora.cli.UserError;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SafetensorsWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * diffusers' {@code pytorch_lora_weights.safetensors}, as {@code train_dreambooth_lora_sdxl.py} writes it through
 * {@code StableDiffusionXLPipeline.save_lora_weights}: each network's PEFT state dict under its component prefix
 * ({@code unet.}, {@code text_encoder.}, {@code text_encoder_2.}), after diffusers' PEFT→diffusers renaming — the
 * UNet's {@code to_q/to_k/to_v/to_out.0} factors become {@code .lora.down/.lora.up}, the text encoders'
 * {@code q_proj/k_proj/v_proj/out_proj} factors {@code .lora_linear_layer.down/.up}, other layers keep
 * {@code .lora_A/.lora_B}. No α is stored: diffusers then scales by 1, i.e. α = rank. Reading accepts all three
 * spellings under any prefix (and the old {@code .processor.} segment), as diffusers' loader does.
 */
public final class DiffusersLoraFile {
    private static final List<String> UNET_ATTENTION = List.of("to_q", "to_k", "to_v", "to_out.0");
    private static final List<String> CLIP_ATTENTION = List.of("q_proj", "k_proj", "v_proj", "out_proj");
    private static final String[][] SPELLINGS = {
            {".lora_A.weight", ".lora_B.weight"},
            {".lora.down.weight", ".lora.up.weight"},
            {".lora_linear_layer.down.weight", ".lora_linear_layer.up.weight"}};

    private DiffusersLoraFile() {}

    public static void write(SdxlLora lora, Path target) {
        lora.requirePlainLora("diffusers' LoRA file");
        SafetensorsWriter w = new SafetensorsWriter();
        for (SdxlLora.Component c : lora.components().values()) {
            if (c.config().alpha() != c.config().r() || c.config().useRslora()) {
                throw new UserError(c.file().path() + ": " + c.component().diffusersName() + " has lora_alpha "
                        + c.config().alpha() + " and r " + c.config().r() + "; diffusers' file stores no alpha and "
                        + "scales by 1, so it needs alpha = r");
            }
            for (SdxlLora.Factors f : c.layers()) {
                String[] suffix = spelling(c.component(), f.module());
                String name = c.component().diffusersName() + "." + f.module();
                w.copyFrom(c.file(), f.a(), name + suffix[0]);
                w.copyFrom(c.file(), f.b(), name + suffix[1]);
            }
        }
        w.putMetadata("format", "pt");
        w.write(target);
    }

    /** diffusers' renaming picks the spelling by the layer's name. */
    private static String[] spelling(SdxlComponent c, String module) {
        List<String> names = c == SdxlComponent.UNET ? UNET_ATTENTION : CLIP_ATTENTION;
        boolean attention = names.stream().anyMatch(n -> module.equals(n) || module.endsWith("." + n));
        return !attention ? SPELLINGS[0] : c == SdxlComponent.UNET ? SPELLINGS[1] : SPELLINGS[2];
    }

    static SdxlLora read(SafetensorsFile file) {
        SingleFileLayers layers = new SingleFileLayers(file);
        for (String key : file.names()) {
            SdxlComponent c = componentOf(key);
            if (c == null) {
                throw new UserError(file.path() + ": tensor " + key + " starts with none of unet., text_encoder., "
                        + "text_encoder_2., lora_unet_, lora_te1_, lora_te2_ (not an SDXL LoRA file)");
            }
            String rest = key.substring(c.diffusersName().length() + 1).replace(".processor.", ".");
            if (rest.endsWith(".alpha")) {
                layers.alpha(c, rest.substring(0, rest.length() - ".alpha".length()), key);
                continue;
            }
            boolean found = false;
            for (String[] s : SPELLINGS) {
                for (int side = 0; side < 2 && !found; side++) {
                    if (rest.endsWith(s[side])) {
                        String module = rest.substring(0, rest.length() - s[side].length());
                        if (side == 0) layers.down(c, module, key);
                        else layers.up(c, module, key);
                        found = true;
                    }
                }
            }
            if (!found) {
                throw new UserError(file.path() + ": tensor " + key + " is not a LoRA factor (.lora_A/.lora_B, "
                        + ".lora.down/.lora.up or .lora_linear_layer.down/.up)");
            }
        }
        return layers.finish();
    }

    private static SdxlComponent componentOf(String key) {
        // text_encoder_2. before text_encoder.: the longer prefix first
        for (SdxlComponent c : List.of(SdxlComponent.TEXT_ENCODER_2, SdxlComponent.TEXT_ENCODER, SdxlComponent.UNET)) {
            if (key.startsWith(c.diffusersName() + ".")) return c;
        }
        return null;
    }
}
