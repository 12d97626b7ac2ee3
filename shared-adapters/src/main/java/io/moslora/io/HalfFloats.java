package io.moslora.io;

/**
 * Bit-level conversions between float and the two 16-bit float formats of checkpoints: IEEE binary16 (F16) and
 * bfloat16 (BF16, the top half of a float). Widening is exact; narrowing rounds to nearest, ties to even, like
 * numpy and PyTorch. Written by hand because Java 17 has no Float.float16ToFloat.
 */
public final class HalfFloats {
    private HalfFloats() {}

    public static float f16ToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) { // infinity or NaN; the payload is kept
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) { // zero or subnormal: mantissa * 2^-24, exact in float
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    public static short floatToF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) { // infinity stays infinity; NaN stays a (quiet) NaN with its top payload bits
            return (short) (abs == 0x7f800000 ? sign | 0x7c00 : sign | 0x7e00 | ((abs >>> 13) & 0x3ff));
        }
        if (abs >= 0x477ff000) { // from 65520 (halfway above the largest half, 65504) upward: rounds to infinity
            return (short) (sign | 0x7c00);
        }
        if (abs >= 0x38800000) { // normal half: rebias the exponent, round the 13 dropped mantissa bits
            int half = (((abs >>> 23) - 112) << 10) | ((abs >>> 13) & 0x3ff);
            int dropped = abs & 0x1fff;
            if (dropped > 0x1000 || (dropped == 0x1000 && (half & 1) == 1)) {
                half++; // a carry out of the mantissa correctly bumps the exponent
            }
            return (short) (sign | half);
        }
        // subnormal half (or zero): count units of 2^-24; the product is exact in double, rint ties to even,
        // and 1024 units is exactly the encoding of the smallest normal half
        return (short) (sign | (int) Math.rint(Float.intBitsToFloat(abs) * 0x1p24));
    }

    public static float bf16ToFloat(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xffff) << 16);
    }

    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) { // NaN: keep sign and top payload, force it quiet
            return (short) ((bits >>> 16) | 0x40);
        }
        int roundingBias = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }
}
