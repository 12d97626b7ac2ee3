package io.moslora.sdxl.lora;

import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.PeftAdapters;
import io.moslora.cli.UserError;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Our PEFT layout for an SDXL adapter: the UNet's PEFT adapter ({@code adapter_config.json} +
 * {@code adapter_model.safetensors}, keys {@code base_model.model.<module>.lora_A.weight} / {@code .lora_AB.weight}
 * (MoSLoRA's mixer) / {@code .lora_B.weight}) in the folder itself, and each trained text encoder's in
 * {@code text_encoder/} and {@code text_encoder_2/} below it — each subfolder is what PEFT's {@code save_pretrained}
 * writes for that transformers model, so {@code PeftModel.from_pretrained(text_encoder, dir/text_encoder)} loads it.
 */
public final class PeftLoraFolders {
    private static final String A = ".lora_A.weight";
    private static final String MIXER = ".lora_AB.weight";
    private static final String B = ".lora_B.weight";

    private PeftLoraFolders() {}

    public static Path folder(Path root, SdxlComponent c) {
        return c.peftSubfolder().isEmpty() ? root : root.resolve(c.peftSubfolder());
    }

    static SdxlLora read(Path root) {
        Map<SdxlComponent, SdxlLora.Component> out = new EnumMap<>(SdxlComponent.class);
        try {
            for (SdxlComponent c : SdxlComponent.values()) {
                Path dir = folder(root, c);
                if (Files.isRegularFile(dir.resolve(PeftAdapters.CONFIG_FILE))) {
                    out.put(c, readOne(c, dir));
                }
            }
            if (out.isEmpty()) {
                throw new UserError(root + ": no " + PeftAdapters.CONFIG_FILE + " here nor in text_encoder/ or "
                        + "text_encoder_2/ (is this an adapter folder?)");
            }
            return new SdxlLora(out);
        } catch (RuntimeException e) {
            out.values().forEach(c -> c.file().close());
            throw e;
        }
    }

    private static SdxlLora.Component readOne(SdxlComponent c, Path dir) {
        AdapterConfig config = PeftAdapters.readConfig(dir);
        if (!config.modulesToSave().isEmpty()) {
            throw new UserError(dir.resolve(PeftAdapters.CONFIG_FILE) + ": field modules_to_save: not supported for SDXL");
        }
        SafetensorsFile file = SafetensorsFile.open(PeftAdapters.weightsFile(dir));
        try {
            Map<String, String[]> byModule = new LinkedHashMap<>(); // module → {A, mixer, B}
            for (String key : file.names()) {
                int slot = key.endsWith(A) ? 0 : key.endsWith(MIXER) ? 1 : key.endsWith(B) ? 2 : -1;
                if (!key.startsWith(PeftAdapters.PREFIX) || slot < 0) {
                    throw new UserError(file.path() + ": tensor " + key + " is not a LoRA/MoSLoRA factor of a PEFT adapter "
                            + "(DoRA magnitudes and modules_to_save are not supported for SDXL)");
                }
                String suffix = slot == 0 ? A : slot == 1 ? MIXER : B;
                String module = key.substring(PeftAdapters.PREFIX.length(), key.length() - suffix.length());
                byModule.computeIfAbsent(module, k -> new String[3])[slot] = key;
            }
            List<SdxlLora.Factors> layers = new ArrayList<>();
            byModule.forEach((module, k) -> {
                if (k[0] == null || k[2] == null) {
                    throw new UserError(file.path() + ": layer " + module + " lacks its " + (k[0] == null ? "lora_A" : "lora_B"));
                }
                layers.add(new SdxlLora.Factors(module, k[0], k[1], k[2]));
            });
            return new SdxlLora.Component(c, config, file, layers);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Writes every network of {@code lora} as its PEFT folder below {@code root} (tensors copied, not recomputed). */
    public static void write(SdxlLora lora, Path root) {
        for (SdxlLora.Component c : lora.components().values()) {
            Path dir = folder(root, c.component());
            SafetensorsWriter w = new SafetensorsWriter();
            for (SdxlLora.Factors f : c.layers()) {
                String base = PeftAdapters.PREFIX + f.module();
                w.copyFrom(c.file(), f.a(), base + A);
                if (f.mixer() != null) w.copyFrom(c.file(), f.mixer(), base + MIXER);
                w.copyFrom(c.file(), f.b(), base + B);
            }
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UserError("cannot create " + dir + ": " + e.getMessage());
            }
            w.write(dir.resolve(PeftAdapters.WEIGHTS_FILE));
            PeftAdapters.writeConfig(c.config(), dir);
        }
    }
}
