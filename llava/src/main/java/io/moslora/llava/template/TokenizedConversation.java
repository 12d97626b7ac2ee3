package io.moslora.llava.template;

/**
 * Token ids of a whole conversation and the labels a trainer learns from: the id where it is learned, else
 * {@link io.moslora.llava.tokenizer.ImageTokens#IGNORE_INDEX}. Both have the same length.
 */
public record TokenizedConversation(int[] inputIds, int[] labels) {
    public TokenizedConversation {
        if (inputIds.length != labels.length) {
            throw new IllegalArgumentException("inputIds and labels differ in length: " + inputIds.length + " vs " + labels.length);
        }
    }

    public int length() {
        return inputIds.length;
    }

    /** Cut both to at most {@code maxLength} ids. */
    public TokenizedConversation truncate(int maxLength) {
        if (inputIds.length <= maxLength) {
            return this;
        }
        return new TokenizedConversation(java.util.Arrays.copyOf(inputIds, maxLength), java.util.Arrays.copyOf(labels, maxLength));
    }

    /** How many labels are learned. */
    public int learnedCount() {
        int n = 0;
        for (int l : labels) {
            if (l != io.moslora.llava.tokenizer.ImageTokens.IGNORE_INDEX) {
                n++;
            }
        }
        return n;
    }
}
