package io.moslora.quant;

import java.util.regex.Pattern;

/**
 * What to quantize and how: the 4-bit type, block size, double quantization, and which names are targets. A name
 * (a module path, or a tensor name in a file) is a target when {@code include} is found in it (null: every
 * name) and {@code exclude} is not (null: none excluded) — regex search, as {@code grep -E} does.
 */
public record QuantOptions(FourBitType type, int blocksize, boolean doubleQuant, Pattern include, Pattern exclude) {
    public QuantOptions {
        Nf4Codec.checkBlocksize(blocksize);
    }

    /** QLoRA's setting: NF4, blocks of 64, double quantization, every linear layer. */
    public static QuantOptions qlora() {
        return new QuantOptions(FourBitType.NF4, 64, true, null, null);
    }

    public QuantOptions withPatterns(String includeRegex, String excludeRegex) {
        return new QuantOptions(type, blocksize, doubleQuant,
                includeRegex == null ? null : Pattern.compile(includeRegex),
                excludeRegex == null ? null : Pattern.compile(excludeRegex));
    }

    public boolean targets(String name) {
        return (include == null || include.matcher(name).find()) && (exclude == null || !exclude.matcher(name).find());
    }

    /** bitsandbytes' name for the original dtype recorded in the quant state ({@code float16}, ...). */
    static String bnbDtype(io.moslora.io.DType stored) {
        return switch (stored) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> "float32";
        };
    }

    QuantState quantize(float[] weights, long[] shape, String dtype) {
        return QuantState.quantize(weights, shape, dtype, type, blocksize, doubleQuant);
    }
}
