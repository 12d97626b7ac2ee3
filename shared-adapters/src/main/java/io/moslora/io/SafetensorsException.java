package io.moslora.io;

import io.moslora.cli.UserError;
import java.nio.file.Path;

/**
 * A safetensors file (or shard index) that cannot be read as asked: the message is one line that starts with the
 * file and says what is wrong in it, so the launcher can print it as is and exit 1.
 */
public class SafetensorsException extends UserError {
    public SafetensorsException(Path file, String problem) {
        super(file + ": " + oneLine(problem));
    }

    public SafetensorsException(Path file, String problem, Throwable cause) {
        super(file + ": " + oneLine(problem), cause);
    }

    /** Collapses line breaks and other control characters (tensor names and parser messages can hold them). */
    static String oneLine(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                sb.append(' ');
            } else if (Character.isISOControl(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A tensor name quoted for a message; control characters escaped, very long names shortened. */
    static String quote(String name) {
        String shown = name.length() > 200 ? name.substring(0, 200) + "..." : name;
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            sb.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return sb.append('\'').toString();
    }
}
