package io.moslora.eval.text;

import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/** Python's {@code int(str)} and {@code float(str)} parsing (whitespace allowed around, underscores between digits). */
public final class PyNumbers {
    private static final Pattern INT = Pattern.compile("[+-]?\\d+(_\\d+)*");
    private static final Pattern FLOAT = Pattern.compile(
            "[+-]?((\\d+(_\\d+)*)?\\.?\\d+(_\\d+)*([eE][+-]?\\d+(_\\d+)*)?|\\d+(_\\d+)*\\.([eE][+-]?\\d+)?"
                    + "|inf|infinity|nan)", Pattern.CASE_INSENSITIVE);

    private PyNumbers() {}

    public static OptionalLong parseInt(String s) {
        String t = PyText.strip(s);
        if (!INT.matcher(t).matches()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(t.replace("_", "")));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    public static OptionalDouble parseFloat(String s) {
        String t = PyText.strip(s);
        if (!FLOAT.matcher(t).matches()) {
            return OptionalDouble.empty();
        }
        String lower = t.toLowerCase(java.util.Locale.ROOT).replace("_", "");
        String unsigned = lower.replaceFirst("^[+-]", "");
        boolean negative = lower.startsWith("-");
        if (unsigned.startsWith("inf")) {
            return OptionalDouble.of(negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
        }
        if (unsigned.equals("nan")) {
            return OptionalDouble.of(Double.NaN);
        }
        return OptionalDouble.of(Double.parseDouble(lower));
    }
}
