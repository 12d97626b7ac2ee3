package io.moslora.llava.template;

import io.moslora.llava.data.Turn;
import io.moslora.llava.tokenizer.ImageTokens;
import io.moslora.llava.tokenizer.TextTokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * LLaVA-1.5's {@code conv_vicuna_v1} ("USER"/"ASSISTANT", separators " " and "</s>") with the label masking of
 * LLaVA's {@code preprocess_v1}, reproduced with its per-round length arithmetic: each round is tokenized on
 * its own and its BOS stands in for the round's "</s>"; the instruction length drops 2 (BOS and the "▁" that
 * "ASSISTANT: " ends with); with a non-legacy Llama tokenizer, rounds after the first are one id shorter in the
 * whole conversation. If the arithmetic does not land on the conversation's length, LLaVA masks everything.
 */
public final class VicunaV1Template implements ChatTemplate {
    public static final String NAME = "vicuna_v1";
    public static final String SYSTEM = "A chat between a curious user and an artificial intelligence assistant. "
            + "The assistant gives helpful, detailed, and polite answers to the user's questions.";
    static final String USER = "USER";
    static final String ASSISTANT = "ASSISTANT";
    static final String SEP = " ";
    static final String SEP2 = "</s>";

    @Override
    public String name() {
        return NAME;
    }

    /** The conversation text as LLaVA's {@code get_prompt()} writes it; a human last turn ends with "ASSISTANT:". */
    public String prompt(List<Turn> turns) {
        StringBuilder sb = new StringBuilder(SYSTEM).append(SEP);
        for (Turn t : turns) {
            boolean human = t.role() == Turn.Role.HUMAN;
            sb.append(human ? USER : ASSISTANT).append(": ").append(t.text()).append(human ? SEP : SEP2);
        }
        if (!turns.isEmpty() && turns.get(turns.size() - 1).role() == Turn.Role.HUMAN) {
            sb.append(ASSISTANT).append(':');
        }
        return sb.toString();
    }

    @Override
    public TokenizedConversation encode(List<Turn> turns, TextTokenizer tok, int maxLength, boolean hasImage) {
        ChatTemplate.requireAlternating(turns, false);
        String conversation = prompt(turns);
        int[] ids = tokenize(conversation, tok, hasImage);
        int[] target = ids.clone();
        int pad = tok.padId() >= 0 ? tok.padId() : tok.tokenId("<unk>"); // LLaVA pads v1 with unk
        int totalLen = (int) Arrays.stream(ids).filter(i -> i != pad).count();

        String sep = ASSISTANT + ": ";
        int cur = 1;
        fill(target, 0, 1);
        List<String> rounds = ImageTokens.splitKeepingEmpty(conversation, SEP2);
        for (int i = 0; i < rounds.size(); i++) {
            String rou = rounds.get(i);
            if (rou.isEmpty()) {
                break;
            }
            List<String> parts = ImageTokens.splitKeepingEmpty(rou, sep);
            if (parts.size() != 2) {
                break;
            }
            int roundLen = tokenize(rou, tok, hasImage).length;
            int instructionLen = tokenize(parts.get(0) + sep, tok, hasImage).length - 2;
            if (i != 0 && !tok.legacy()) {
                roundLen -= 1;
                instructionLen -= 1;
            }
            fill(target, cur, cur + instructionLen);
            cur += roundLen;
        }
        fill(target, cur, target.length);
        if (cur < maxLength && cur != totalLen) {
            fill(target, 0, target.length); // tokenization mismatch: LLaVA ignores the whole sample
        }
        return new TokenizedConversation(ids, target).truncate(maxLength);
    }

    private static int[] tokenize(String text, TextTokenizer tok, boolean hasImage) {
        return hasImage ? ImageTokens.tokenizeWithBos(text, tok) : tok.encodeWithBos(text);
    }

    private static void fill(int[] target, int from, int to) {
        int a = Math.max(0, Math.min(from, target.length));
        int b = Math.max(a, Math.min(to, target.length));
        Arrays.fill(target, a, b, ImageTokens.IGNORE_INDEX);
    }

    @Override
    public int[] generationPrompt(List<Turn> turns, TextTokenizer tok) {
        ChatTemplate.requireAlternating(turns, true);
        return ImageTokens.tokenizeWithBos(prompt(turns), tok);
    }

    @Override
    public List<String> stopWords() {
        return List.of(SEP2);
    }
}
