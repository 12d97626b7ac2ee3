package io.moslora.sdxl.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.cli.UserError;
import io.moslora.io.ShardedCheckpoint;
import io.moslora.nn.Module;
import io.moslora.quant.Linear4bit;
import io.moslora.quant.QuantOptions;
import io.moslora.quant.Quantizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code --quantize}: how the UNet's base weights are held. {@link #NF4} is QLoRA's recipe (NF4, blocks of 64,
 * double quantization) on every Linear of the UNet — attention q/k/v/out, feed-forward, {@code proj_in/proj_out},
 * the time and added-condition embeddings, the resnets' {@code time_emb_proj} — as bitsandbytes'
 * {@code load_in_4bit} does: it replaces Linears only, so convolutions, norms and the VAE and text encoders stay
 * dense. It happens before adapters are injected, so a LoRA/MoSLoRA wraps the frozen 4-bit layer (QMoSLoRA) and
 * every forward dequantizes the weight on the fly.
 */
public enum UNetQuantization {
    NONE,
    NF4;

    /** QLoRA's setting, every Linear a target. */
    public static final QuantOptions UNET_NF4 = QuantOptions.qlora();

    /** The option's value ({@code none} or {@code nf4}, any case); anything else is a one-line user error. */
    public static UNetQuantization parse(String value) {
        for (UNetQuantization q : values()) {
            if (q.optionValue().equalsIgnoreCase(value)) return q;
        }
        throw new UserError("--quantize " + value + ": use none or nf4 (4-bit NormalFloat with double quantization "
                + "for the UNet's linear layers)");
    }

    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Turns the dense Linears of an already loaded UNet into 4-bit ones; returns their module paths. */
    public List<String> apply(UNet2DConditionModel unet, NDManager manager) {
        return this == NONE ? List.of() : Quantizer.quantizeModel(unet, UNET_NF4, manager);
    }

    /** How many 4-bit Linears a module tree holds (adapted ones included: they sit under their wrappers). */
    public static long fourBitLayers(Module root) {
        return root.namedModules().values().stream().filter(m -> m instanceof Linear4bit).count();
    }

    /**
     * Loads a UNet checkpoint (a file or a shard index). With {@link #NF4} each Linear weight is quantized the moment
     * it is read, so the dense UNet never exists in memory (peak about the 4-bit UNet plus one dense tensor); a
     * checkpoint already in the bitsandbytes 4-bit layout loads as it is. Strict, as every SDXL component load.
     */
    void load(UNet2DConditionModel unet, Path file, NDManager manager, DataType dtype) {
        if (this == NONE) {
            SdxlModels.loadInto(unet, file, manager, dtype);
            return;
        }
        try (ShardedCheckpoint reader = ShardedCheckpoint.open(file)) {
            Quantizer.load(unet, reader, manager, dtype, UNET_NF4, true);
        }
    }
}
