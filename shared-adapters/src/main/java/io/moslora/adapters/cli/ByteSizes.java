package io.moslora.adapters.cli;

import io.moslora.cli.UserError;
import java.util.Locale;

/** Parses sizes written like Hugging Face's {@code max_shard_size}: "5GB", "500MB", "2000" (bytes). */
public final class ByteSizes {
    private ByteSizes() {}

    public static long parse(String text, String option) {
        String s = text.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        for (String[] u : new String[][] {{"GIB", "1073741824"}, {"MIB", "1048576"}, {"KIB", "1024"}, {"GB", "1000000000"},
                {"MB", "1000000"}, {"KB", "1000"}, {"B", "1"}}) {
            if (s.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                s = s.substring(0, s.length() - u[0].length()).trim();
                break;
            }
        }
        try {
            long v = (long) (Double.parseDouble(s) * unit);
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UserError(option + ": '" + text + "' is not a size like 5GB or 500MB");
        }
    }
}
