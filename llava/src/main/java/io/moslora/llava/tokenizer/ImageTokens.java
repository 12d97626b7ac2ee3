package io.moslora.llava.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * LLaVA's placeholder conventions: the text {@code <image>} becomes the id {@link #IMAGE_TOKEN_INDEX} (the model
 * splices the projected image features in there) and labels that are not learned are {@link #IGNORE_INDEX}.
 */
public final class ImageTokens {
    public static final String IMAGE_PLACEHOLDER = "<image>";
    public static final int IMAGE_TOKEN_INDEX = -200;
    public static final int IGNORE_INDEX = -100;

    private ImageTokens() {}

    /**
     * LLaVA's {@code tokenizer_image_token}: each chunk between placeholders is tokenized as by the tokenizer's
     * default call (so each gets its own BOS and SentencePiece dummy prefix); the first chunk keeps its BOS, the
     * later chunks lose theirs, and one {@code -200} sits between chunks.
     */
    public static int[] tokenizeWithBos(String prompt, TextTokenizer tokenizer) {
        List<int[]> chunks = new ArrayList<>();
        for (String chunk : splitKeepingEmpty(prompt, IMAGE_PLACEHOLDER)) {
            chunks.add(tokenizer.encodeWithBos(chunk));
        }
        List<Integer> out = new ArrayList<>();
        int offset = 0;
        if (!chunks.isEmpty() && chunks.get(0).length > 0 && chunks.get(0)[0] == tokenizer.bosId()) {
            offset = 1;
            out.add(chunks.get(0)[0]);
        }
        for (int c = 0; c < chunks.size(); c++) {
            if (c > 0) {
                out.add(IMAGE_TOKEN_INDEX);
            }
            int[] ids = chunks.get(c);
            // LLaVA cuts `offset` ids off every chunk, BOS or not (its own quirk, kept for exact parity).
            for (int i = offset; i < ids.length; i++) {
                out.add(ids[i]);
            }
        }
        return toArray(out);
    }

    /** XTuner's way: chunks tokenized without special tokens, {@code -200} between them. */
    public static int[] tokenizeWithoutSpecials(String text, TextTokenizer tokenizer) {
        List<Integer> out = new ArrayList<>();
        List<String> chunks = splitKeepingEmpty(text, IMAGE_PLACEHOLDER);
        for (int c = 0; c < chunks.size(); c++) {
            if (c > 0) {
                out.add(IMAGE_TOKEN_INDEX);
            }
            for (int id : tokenizer.encode(chunks.get(c))) {
                out.add(id);
            }
        }
        return toArray(out);
    }

    /** Python's {@code str.split(sep)}: empty pieces at either end are kept. */
    public static List<String> splitKeepingEmpty(String text, String sep) {
        List<String> parts = new ArrayList<>();
        int from = 0;
        int at;
        while ((at = text.indexOf(sep, from)) >= 0) {
            parts.add(text.substring(from, at));
            from = at + sep.length();
        }
        parts.add(text.substring(from));
        return parts;
    }

    static int[] toArray(List<Integer> ids) {
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }
}
