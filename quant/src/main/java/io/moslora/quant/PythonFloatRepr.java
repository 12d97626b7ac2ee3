package io.moslora.quant;

import java.math.BigDecimal;

/**
 * A double formatted as Python's {@code repr} / {@code json.dumps} writes it (shortest digits that read back to
 * the same double; positional between 1e-4 and 1e16, else {@code d.ddde-05} style), so the quant_state JSON we
 * write is byte-identical to bitsandbytes' for the same values.
 */
final class PythonFloatRepr {
    private PythonFloatRepr() {}

    static String of(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("JSON has no " + v);
        }
        if (v == 0) {
            return (Double.doubleToRawLongBits(v) < 0 ? "-" : "") + "0.0";
        }
        BigDecimal shortest = shortestRoundTrip(v);
        String digits = shortest.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - shortest.scale(); // decimal exponent of the first digit
        String sign = v < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = shortest.abs().toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }

    /** The fewest significant digits (1..17) whose decimal value parses back to exactly {@code v}. */
    private static BigDecimal shortestRoundTrip(double v) {
        for (int precision = 1; precision <= 17; precision++) {
            String s = String.format(java.util.Locale.ROOT, "%." + (precision - 1) + "e", v);
            if (Double.parseDouble(s) == v) {
                return new BigDecimal(s).stripTrailingZeros();
            }
        }
        return new BigDecimal(v);
    }
}
