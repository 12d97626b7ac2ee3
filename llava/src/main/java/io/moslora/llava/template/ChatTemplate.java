package io.moslora.llava.template;

import io.moslora.llava.data.Turn;
import io.moslora.llava.tokenizer.TextTokenizer;
import java.util.List;

/**
 * How a conversation becomes token ids: for training (with labels: only the assistant's answers and their end
 * token are learned) and for generation (the prompt up to where the assistant starts).
 */
public interface ChatTemplate {
    String name();

    /**
     * Ids and labels of a whole conversation (alternating human/gpt turns, human first), cut at
     * {@code maxLength}. {@code hasImage}: the sample has an image, so {@code <image>} becomes -200.
     */
    TokenizedConversation encode(List<Turn> turns, TextTokenizer tokenizer, int maxLength, boolean hasImage);

    /** Ids of the prompt for generating the next assistant answer; {@code turns} ends with a human turn. */
    int[] generationPrompt(List<Turn> turns, TextTokenizer tokenizer);

    /** Strings that end an answer when generating (besides the tokenizer's EOS). */
    List<String> stopWords();

    /** The conversations the templates accept: non-empty, human first, then alternating. */
    static void requireAlternating(List<Turn> turns, boolean endsWithHuman) {
        if (turns.isEmpty()) {
            throw new IllegalArgumentException("conversation has no turns");
        }
        for (int i = 0; i < turns.size(); i++) {
            Turn.Role expected = i % 2 == 0 ? Turn.Role.HUMAN : Turn.Role.GPT;
            if (turns.get(i).role() != expected) {
                throw new IllegalArgumentException("turn " + i + " is from " + turns.get(i).role().jsonName()
                        + ", expected " + expected.jsonName() + " (turns must alternate, human first)");
            }
        }
        boolean lastHuman = turns.get(turns.size() - 1).role() == Turn.Role.HUMAN;
        if (lastHuman != endsWithHuman) {
            throw new IllegalArgumentException("conversation must end with a " + (endsWithHuman ? "human" : "gpt") + " turn");
        }
    }
}
