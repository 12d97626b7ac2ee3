package io.moslora.eval.text;

import java.math.BigDecimal;

/** Python's {@code repr(float)}, which is how pandas writes floats into the score CSVs ("" for NaN). */
public final class PyFloat {
    private PyFloat() {}

    public static String repr(double d) {
        if (Double.isNaN(d)) {
            return "";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exponent = bd.precision() - bd.scale() - 1;
        if (exponent < -4 || exponent >= 16) {
            String digits = bd.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            String sign = d < 0 ? "-" : "";
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = bd.toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }
}
