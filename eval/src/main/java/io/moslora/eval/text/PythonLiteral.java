package io.moslora.eval.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the one kind of Python literal that VLMEvalKit stores inside TSV cells: a flat list of strings or numbers,
 * such as TextVQA's ten answers {@code ['yes', "it's", 3]}. Anything else is "not a list" (empty), which is how the
 * reference code's {@code istype(x, list)} treats it.
 */
public final class PythonLiteral {
    private final String s;
    private int pos;

    private PythonLiteral(String s) {
        this.s = s;
    }

    /** The list's elements as strings (numbers as written), or empty when {@code text} is not a list literal. */
    public static Optional<List<String>> parseList(String text) {
        if (text == null) {
            return Optional.empty();
        }
        PythonLiteral p = new PythonLiteral(text);
        try {
            p.skipSpace();
            if (!p.eat('[')) {
                return Optional.empty();
            }
            List<String> items = new ArrayList<>();
            p.skipSpace();
            if (p.eat(']')) {
                return p.atEnd() ? Optional.of(items) : Optional.empty();
            }
            while (true) {
                p.skipSpace();
                items.add(p.element());
                p.skipSpace();
                if (p.eat(',')) {
                    p.skipSpace();
                    if (p.eat(']')) {
                        break;
                    }
                    continue;
                }
                if (p.eat(']')) {
                    break;
                }
                return Optional.empty();
            }
            return p.atEnd() ? Optional.of(items) : Optional.empty();
        } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }

    private boolean atEnd() {
        skipSpace();
        return pos == s.length();
    }

    private void skipSpace() {
        while (pos < s.length() && PyText.isSpace(s.charAt(pos))) {
            pos++;
        }
    }

    private boolean eat(char c) {
        if (pos < s.length() && s.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private String element() {
        char c = s.charAt(pos);
        if (c == '\'' || c == '"') {
            return string(c);
        }
        int start = pos;
        while (pos < s.length() && "+-.0123456789eE_".indexOf(s.charAt(pos)) >= 0) {
            pos++;
        }
        if (pos == start) {
            throw new IllegalArgumentException("not a literal");
        }
        return s.substring(start, pos);
    }

    private String string(char quote) {
        pos++;
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = s.charAt(pos++);
            if (c == quote) {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = s.charAt(pos++);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case '\\', '\'', '"' -> b.append(e);
                case 'x' -> {
                    b.append((char) Integer.parseInt(s.substring(pos, pos + 2), 16));
                    pos += 2;
                }
                case 'u' -> {
                    b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                    pos += 4;
                }
                case 'U' -> {
                    b.appendCodePoint(Integer.parseInt(s.substring(pos, pos + 8), 16));
                    pos += 8;
                }
                default -> b.append('\\').append(e);
            }
        }
    }
}
