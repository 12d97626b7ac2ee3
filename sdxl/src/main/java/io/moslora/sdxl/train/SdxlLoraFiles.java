package io.moslora.sdxl.train;

import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.LoraExport;
import io.moslora.adapters.PeftAdapters;
import io.moslora.sdxl.lora.DiffusersLoraFile;
import io.moslora.sdxl.lora.KohyaLoraFile;
import io.moslora.sdxl.lora.PeftLoraFolders;
import io.moslora.sdxl.lora.SdxlComponent;
import io.moslora.sdxl.lora.SdxlLora;
import io.moslora.sdxl.lora.SgmUNetNames;
import io.moslora.sdxl.model.SdxlModels;
import io.moslora.cli.UserError;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a DreamBooth run leaves for other tools, from the trained adapters:
 * <ul>
 *   <li>{@code adapter/} — PEFT (MoSLoRA keeps its mixer): the UNet's adapter, plus {@code text_encoder/} and
 *       {@code text_encoder_2/} when the text encoders were trained;</li>
 *   <li>{@code lora/} — the same as a plain LoRA (mixer folded into A, exact; MoSLoRA/TS-Mixing only);</li>
 *   <li>{@value #DIFFUSERS_FILE} — diffusers' layout ({@code pipe.load_lora_weights}), see {@link DiffusersLoraFile};</li>
 *   <li>{@value #KOHYA_FILE} — kohya's layout with SGM UNet names (A1111/Forge, ComfyUI, sd-scripts), see
 *       {@link KohyaLoraFile}.</li>
 * </ul>
 * The two single files are renamed copies of the plain LoRA's tensors, byte for byte.
 */
public final class SdxlLoraFiles {
    public static final String DIFFUSERS_FILE = "pytorch_lora_weights.safetensors";
    public static final String KOHYA_FILE = "lora_kohya.safetensors";
    public static final String ADAPTER_DIR = "adapter";
    public static final String PLAIN_LORA_DIR = "lora";

    private SdxlLoraFiles() {}

    /** @param adapted each adapted network's settings (its adapters are injected in {@code models}) */
    public static void writeAll(SdxlModels models, Map<SdxlComponent, AdapterConfig> adapted, Path outDir) {
        Path adapterDir = outDir.resolve(ADAPTER_DIR);
        for (SdxlComponent c : SdxlComponent.values()) {
            if (!adapted.containsKey(c) && c != SdxlComponent.UNET) {
                // an earlier run's text-encoder part in the same --out would be loaded with this run's UNet adapter
                removeAdapter(PeftLoraFolders.folder(adapterDir, c));
                removeAdapter(PeftLoraFolders.folder(outDir.resolve(PLAIN_LORA_DIR), c));
            }
        }
        adapted.forEach((c, config) -> PeftAdapters.save(c.module(models), config, PeftLoraFolders.folder(adapterDir, c)));
        Path plain = adapterDir;
        if (adapted.values().stream().anyMatch(c -> c.kind() != AdapterKind.LORA)) {
            Path lora = outDir.resolve(PLAIN_LORA_DIR);
            adapted.keySet().forEach(c -> LoraExport.exportPlainLora(PeftLoraFolders.folder(adapterDir, c),
                    PeftLoraFolders.folder(lora, c)));
            plain = lora;
        }
        try (SdxlLora lora = SdxlLora.open(plain, models.config())) {
            DiffusersLoraFile.write(lora, outDir.resolve(DIFFUSERS_FILE));
            KohyaLoraFile.write(lora, SgmUNetNames.of(models.config().unet()), outDir.resolve(KOHYA_FILE));
        }
    }

    /** Deletes the two files a PEFT adapter folder holds, then the folder if nothing else is in it. */
    private static void removeAdapter(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve(PeftAdapters.CONFIG_FILE));
            Files.deleteIfExists(dir.resolve(PeftAdapters.WEIGHTS_FILE));
            Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException e) {
            // the user's own files stay; without adapter_config.json the folder is no longer read as an adapter
        } catch (IOException e) {
            throw new UserError("cannot remove the stale adapter in " + dir + ": " + e.getMessage());
        }
    }
}
