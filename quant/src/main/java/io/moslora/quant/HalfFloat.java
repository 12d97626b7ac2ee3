package io.moslora.quant;

/**
 * float32 to IEEE half conversion (round to nearest, ties to even), written out because Java 17 has no
 * {@code Float.floatToFloat16}. The C++ kernel does the same bit operations, so both produce identical bits,
 * and both equal what libtorch's {@code .to(float16)} gives (checked in the tests).
 */
public final class HalfFloat {
    private HalfFloat() {}

    public static short fromFloat(float f) {
        int x = Float.floatToRawIntBits(f);
        int sign = (x >>> 16) & 0x8000;
        int exp = (x >>> 23) & 0xff;
        int mant = x & 0x7fffff;
        if (exp == 0xff) { // inf stays inf, NaN stays a quiet NaN
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) { // half subnormal (or zero): count units of 2^-24
            if (e < -10) {
                return (short) sign;
            }
            int m = mant | 0x800000;
            int shift = 14 - e;
            int rounded = m >>> shift;
            int rest = m & ((1 << shift) - 1);
            int half = 1 << (shift - 1);
            if (rest > half || (rest == half && (rounded & 1) != 0)) {
                rounded++;
            }
            return (short) (sign | rounded);
        }
        int h = (e << 10) | (mant >>> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (h & 1) != 0)) {
            h++; // a carry into the exponent is the correct result, up to infinity
        }
        return (short) (sign | h);
    }

    public static float toFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}
