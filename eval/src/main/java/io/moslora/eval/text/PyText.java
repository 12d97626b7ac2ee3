package io.moslora.eval.text;

import java.util.ArrayList;
import java.util.List;

/**
 * The few Python {@code str} behaviours the reference evaluators depend on, reproduced exactly so that our scores
 * match theirs on the same predictions: {@code str.split()} and {@code str.strip()} use Python's notion of
 * whitespace (wider than Java's {@code trim}), and {@code len} counts code points, not UTF-16 units.
 */
public final class PyText {
    private PyText() {}

    /** Python's {@code str.isspace} for one code point (the set CPython's unicode whitespace table holds). */
    public static boolean isSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0
                || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029
                || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /** {@code s.split()}: runs of whitespace separate words; no empty words. */
    public static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && isSpace(s.codePointAt(i))) {
                i += Character.charCount(s.codePointAt(i));
            }
            int start = i;
            while (i < n && !isSpace(s.codePointAt(i))) {
                i += Character.charCount(s.codePointAt(i));
            }
            if (i > start) {
                out.add(s.substring(start, i));
            }
        }
        return out;
    }

    /** {@code s.strip()}. */
    public static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.codePointAt(start))) {
            start += Character.charCount(s.codePointAt(start));
        }
        while (end > start && isSpace(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(start, end);
    }

    /** {@code len(s)}. */
    public static int len(String s) {
        return s.codePointCount(0, s.length());
    }

    /** {@code s.lower()} for the text the evaluators see (locale-independent). */
    public static String lower(String s) {
        return s.toLowerCase(java.util.Locale.ROOT);
    }

    /** True when {@code s} holds a CJK ideograph, VLMEvalKit's test for a Chinese question. */
    public static boolean hasChinese(String s) {
        return s.codePoints().anyMatch(cp -> cp >= 0x4E00 && cp <= 0x9FFF);
    }
}
