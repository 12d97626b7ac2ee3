package io.moslora.sdxl.tokenizer;

/**
 * GPT-2/CLIP's reversible map from the 256 byte values to printable Unicode characters, so that BPE can work on
 * strings without whitespace or control characters. Printable Latin-1 bytes ({@code !..~}, {@code ¡..¬},
 * {@code ®..ÿ}) map to themselves; the other 68 bytes map, in byte order, to U+0100, U+0101, ...
 */
public final class ByteUnicodeMap {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[256 + 68];

    static {
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteUnicodeMap() {}

    /** The character that stands for one byte (0..255). */
    public static char charOf(int unsignedByte) {
        return BYTE_TO_CHAR[unsignedByte];
    }

    /** The byte (0..255) a mapped character stands for, or -1 if the character is not in the map. */
    public static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length && (c == BYTE_TO_CHAR[CHAR_TO_BYTE[c]]) ? CHAR_TO_BYTE[c] : -1;
    }

    /**
     * The 256 mapped characters in CLIP's vocabulary order: the printable bytes first (their own characters,
     * ascending), then the remapped ones (U+0100 upwards) — the order of Python's dict in {@code bytes_to_unicode}.
     */
    public static String[] alphabet() {
        String[] out = new String[256];
        int at = 0;
        for (int b = 0; b < 256; b++) {
            if (BYTE_TO_CHAR[b] == b) {
                out[at++] = String.valueOf(BYTE_TO_CHAR[b]);
            }
        }
        for (int b = 0; b < 256; b++) {
            if (BYTE_TO_CHAR[b] != b) {
                out[at++] = String.valueOf(BYTE_TO_CHAR[b]);
            }
        }
        return out;
    }

    /** A byte string spelled in mapped characters. */
    public static String encode(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            sb.append(BYTE_TO_CHAR[b & 0xFF]);
        }
        return sb.toString();
    }
}
