package io.moslora.sdxl.train;

import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.PeftAdapters;
import io.moslora.cli.UserError;
import io.moslora.io.DType;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SafetensorsWriter;
import java.nio.file.Path;

/**
 * The single-file LoRA layouts SDXL tools load, written from a plain-LoRA PEFT adapter of the UNet (tensors copied
 * byte for byte, only renamed):
 * <ul>
 *   <li>diffusers ({@code pipe.load_lora_weights}): {@code unet.<module>.lora_A.weight} / {@code .lora_B.weight};
 *       without stored alphas diffusers scales by 1, which is α/r for the DreamBooth run's α = r;</li>
 *   <li>kohya ({@code lora_unet_<module with _ for .>.lora_down.weight} = A, {@code .lora_up.weight} = B, and a
 *       scalar {@code .alpha}), the form A1111 and ComfyUI read for diffusers-named SDXL modules.</li>
 * </ul>
 */
public final class SdxlLoraFiles {
    public static final String DIFFUSERS_FILE = "pytorch_lora_weights.safetensors";
    public static final String KOHYA_FILE = "lora_kohya.safetensors";

    private SdxlLoraFiles() {}

    public static void writeDiffusers(Path plainLoraDir, Path target) {
        rewrite(plainLoraDir, target, false);
    }

    public static void writeKohya(Path plainLoraDir, Path target) {
        rewrite(plainLoraDir, target, true);
    }

    private static void rewrite(Path dir, Path target, boolean kohya) {
        AdapterConfig config = PeftAdapters.readConfig(dir);
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile in = SafetensorsFile.open(PeftAdapters.weightsFile(dir))) {
            for (String key : in.names()) {
                if (!key.startsWith(PeftAdapters.PREFIX)) {
                    throw new UserError(in.path() + ": tensor " + key + " is not a PEFT adapter key");
                }
                String rest = key.substring(PeftAdapters.PREFIX.length());
                boolean a = rest.endsWith(".lora_A.weight");
                boolean b = rest.endsWith(".lora_B.weight");
                if (!a && !b) {
                    throw new UserError(in.path() + ": tensor " + key + " is neither lora_A nor lora_B; export the adapter "
                            + "as a plain LoRA first");
                }
                String module = rest.substring(0, rest.length() - ".lora_A.weight".length());
                if (!kohya) {
                    w.copyFrom(in, key, "unet." + rest);
                } else {
                    String name = "lora_unet_" + module.replace('.', '_');
                    w.copyFrom(in, key, name + (a ? ".lora_down.weight" : ".lora_up.weight"));
                    if (a) {
                        w.addFloats(name + ".alpha", new long[0], new float[] {(float) config.alpha()}, DType.F32);
                    }
                }
            }
            w.putMetadata("format", "pt");
            w.write(target); // inside: the copies read from the open file when written
        }
    }
}
