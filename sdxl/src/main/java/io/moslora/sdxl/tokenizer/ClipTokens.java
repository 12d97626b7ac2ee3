package io.moslora.sdxl.tokenizer;

/**
 * One prompt as a text encoder takes it: exactly {@code maxLength} ids ({@code <|startoftext|>}, content,
 * {@code <|endoftext|>}, padding) and where the end token sits (the position CLIP pools).
 */
public record ClipTokens(int[] ids, int eosIndex) {
    public ClipTokens {
        ids = ids.clone();
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    /** Number of real tokens including start and end (the rest is padding). */
    public int length() {
        return eosIndex + 1;
    }

    /** The ids widened to long, the index type embedding lookups take. */
    public long[] idsAsLong() {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }
}
