package io.moslora.sdxl.tokenizer;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's text cleanup before BPE: {@code whitespace_clean(basic_clean(text)).lower()} of OpenAI's
 * simple_tokenizer. {@code basic_clean} is ftfy's {@code fix_text} followed by two rounds of HTML unescaping; ftfy
 * is a large library, so only its cheap, common fixes are done here (NFC, curly quotes to straight ones, Latin
 * ligatures, full-width ASCII, control characters). Mojibake repair is not done. Whitespace is what Python's
 * {@code str.isspace} calls whitespace, so the result matches CLIP's {@code re.sub(r'\s+', ' ', ...)}.
 */
public final class ClipTextCleaner {
    /** Numeric references ({@code &#39;}, {@code &#x27;}) and the few named ones prompts actually contain. */
    private static final Pattern HTML_ENTITY =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|(?:amp|lt|gt|quot|nbsp|copy|reg);?|apos;)");

    private static final Map<String, String> NAMED = Map.of(
            "amp", "&", "lt", "<", "gt", ">", "quot", "\"", "nbsp", "\u00A0", "copy", "\u00A9", "reg", "\u00AE",
            "apos", "'");

    private ClipTextCleaner() {}

    /** The text exactly as CLIP's BPE sees it: fixed, unescaped, whitespace collapsed, trimmed, lower case. */
    public static String clean(String text) {
        String fixed = fixText(text);
        String unescaped = htmlUnescape(htmlUnescape(fixed));
        return collapseWhitespace(unescaped).toLowerCase(Locale.ROOT);
    }

    /** The subset of ftfy's {@code fix_text} that is cheap and deterministic. */
    static String fixText(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0x02BC || (cp >= 0x2018 && cp <= 0x201B)) {
                sb.append('\'');
            } else if (cp >= 0x201C && cp <= 0x201F) {
                sb.append('"');
            } else if ((cp >= 0xFB00 && cp <= 0xFB06) || cp == 0x0132 || cp == 0x0133) {
                sb.append(Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC));
            } else if (cp >= 0xFF01 && cp <= 0xFF5E) {
                sb.append((char) (cp - 0xFF01 + 0x21));
            } else if (cp == 0x3000) {
                sb.append(' ');
            } else if (isRemovedControl(cp)) {
                // ftfy drops these: they carry no meaning in a prompt.
            } else {
                sb.appendCodePoint(cp);
            }
        }
        return Normalizer.normalize(sb, Normalizer.Form.NFC);
    }

    /** ftfy's removed controls: C0 controls except tab, LF, FF, CR; DEL; deprecated and invisible format marks. */
    private static boolean isRemovedControl(int cp) {
        return cp <= 0x08 || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || cp == 0x7F
                || (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFC);
    }

    /** One round of Python's {@code html.unescape} for numeric references and common named entities. */
    static String htmlUnescape(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Matcher m = HTML_ENTITY.matcher(text);
        StringBuilder sb = new StringBuilder(text.length());
        while (m.find()) {
            String body = m.group(1);
            String name = body.endsWith(";") ? body.substring(0, body.length() - 1) : body;
            String replacement;
            if (name.startsWith("#x") || name.startsWith("#X")) {
                replacement = codePoint(parseOrInvalid(name.substring(2), 16));
            } else if (name.startsWith("#")) {
                replacement = codePoint(parseOrInvalid(name.substring(1), 10));
            } else {
                replacement = NAMED.get(name);
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static long parseOrInvalid(String digits, int radix) {
        return digits.length() > 8 ? Long.MAX_VALUE : Long.parseLong(digits, radix);
    }

    /** Invalid references (NUL, surrogates, beyond Unicode) become U+FFFD, as Python does. */
    private static String codePoint(long cp) {
        if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return "\uFFFD";
        }
        return new String(Character.toChars((int) cp));
    }

    /** {@code re.sub(r'\s+', ' ', text).strip()} with Python's notion of whitespace. */
    static String collapseWhitespace(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        boolean pendingSpace = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isPythonSpace(c)) {
                pendingSpace = true;
            } else {
                if (pendingSpace && sb.length() > 0) {
                    sb.append(' ');
                }
                pendingSpace = false;
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Python's {@code str.isspace}: bidi classes WS, B, S, or general category Zs (includes U+00A0, U+0085). */
    static boolean isPythonSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
    }
}
