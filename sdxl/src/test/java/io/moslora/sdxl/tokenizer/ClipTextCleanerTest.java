package io.moslora.sdxl.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClipTextCleanerTest {
    @Test
    void whitespaceIsPythonsIsspace() {
        // tab, newline, vertical/form feed, NBSP (U+00A0), NEL (U+0085), em space, ideographic space all collapse
        assertThat(ClipTextCleaner.collapseWhitespace(" a\t\nb\u00a0\u0085c\u2003d\r\n ")).isEqualTo("a b c d");
        assertThat(ClipTextCleaner.isPythonSpace('\u001c')).isTrue(); // Python counts the file separators too
        assertThat(ClipTextCleaner.isPythonSpace('\u200b')).isFalse(); // zero-width space is not whitespace
        assertThat(ClipTextCleaner.isPythonSpace('x')).isFalse();
    }

    @Test
    void htmlUnescapeAsPythonDoesForCommonForms() {
        assertThat(ClipTextCleaner.htmlUnescape("a &amp; b &lt;3 &quot;x&quot; it&#39;s &#x27;q&#X27; &apos;"))
                .isEqualTo("a & b <3 \"x\" it's 'q' '");
        // the semicolon is optional for numeric and legacy named references
        assertThat(ClipTextCleaner.htmlUnescape("&#65&amp")).isEqualTo("A&");
        // invalid code points become U+FFFD; unknown names stay as written
        assertThat(ClipTextCleaner.htmlUnescape("&#0; &#xD800; &#99999999999; &bogus;"))
                .isEqualTo("\ufffd \ufffd \ufffd &bogus;");
        // clean() unescapes twice, as CLIP's basic_clean does
        assertThat(ClipTextCleaner.clean("&amp;lt;")).isEqualTo("<");
    }

    @Test
    void cheapFtfyFixes() {
        assertThat(ClipTextCleaner.clean("\u201cHi\u201d \u2018there\u2019")).isEqualTo("\"hi\" 'there'");
        assertThat(ClipTextCleaner.clean("\ufb01ne \ufb00")).isEqualTo("fine ff");
        assertThat(ClipTextCleaner.clean("\uff21\uff22\u3000\uff11")).isEqualTo("ab 1");
        // decomposed e + combining acute becomes the single NFC code point é
        assertThat(ClipTextCleaner.clean("caf" + "e\u0301")).isEqualTo("caf\u00e9");
        // control characters and the byte-order mark are dropped
        assertThat(ClipTextCleaner.clean("a\u0000b\u0007c\ufeffd\u001ce")).isEqualTo("abcde");
    }

    @Test
    void lowerCasesLikePython() {
        assertThat(ClipTextCleaner.clean("  ÉCOLE  Straße ΣΟΦΟΣ ")).isEqualTo("école straße σοφος");
    }

    @Test
    void byteMapIsReversibleAndPutsPrintableBytesFirst() {
        for (int b = 0; b < 256; b++) {
            assertThat(ByteUnicodeMap.byteOf(ByteUnicodeMap.charOf(b))).isEqualTo(b);
        }
        assertThat(ByteUnicodeMap.charOf(' ')).isEqualTo('\u0120'); // "Ġ": space is the 33rd remapped byte
        assertThat(ByteUnicodeMap.charOf(0)).isEqualTo('\u0100');
        assertThat(ByteUnicodeMap.charOf('a')).isEqualTo('a');
        String[] alphabet = ByteUnicodeMap.alphabet();
        assertThat(alphabet[0]).isEqualTo("!");
        assertThat(alphabet[187]).isEqualTo("\u00ff"); // 94 + 12 + 82 printable bytes, the last is ÿ
        assertThat(alphabet[188]).isEqualTo("\u0100");
        assertThat(ByteUnicodeMap.byteOf('\u4e00')).isEqualTo(-1);
    }
}
