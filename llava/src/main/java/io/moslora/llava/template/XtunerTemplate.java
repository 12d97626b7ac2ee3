package io.moslora.llava.template;

import io.moslora.llava.data.Turn;
import io.moslora.llava.tokenizer.ImageTokens;
import io.moslora.llava.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * An XTuner {@code PROMPT_TEMPLATE} entry and XTuner's {@code encode_fn}: BOS once at the start, each human
 * turn wrapped in INSTRUCTION (not learned), each answer plus SUFFIX learned, then the tokenizer's EOS (learned)
 * only when the suffix does not act as EOS, then SEP (not learned) between turns. LLaVA data has no system
 * prompt, so SYSTEM is never used here.
 */
public record XtunerTemplate(String name, String instruction, String suffix, boolean suffixAsEos, String sep,
        List<String> stopWords) implements ChatTemplate {

    /** XTuner's {@code llama3_chat}. */
    public static final XtunerTemplate LLAMA3_CHAT = new XtunerTemplate("llama3_chat",
            "<|start_header_id|>user<|end_header_id|>\n\n{input}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            "<|eot_id|>", true, "", List.of("<|eot_id|>"));

    /** XTuner's {@code internlm2_chat}. */
    public static final XtunerTemplate INTERNLM2_CHAT = new XtunerTemplate("internlm2_chat",
            "<|im_start|>user\n{input}<|im_end|>\n<|im_start|>assistant\n",
            "<|im_end|>", true, "\n", List.of("<|im_end|>"));

    private String instructionText(String input) {
        return instruction.replace("{input}", input);
    }

    @Override
    public TokenizedConversation encode(List<Turn> turns, TextTokenizer tok, int maxLength, boolean hasImage) {
        ChatTemplate.requireAlternating(turns, false);
        List<Integer> ids = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        boolean needsBos = true;
        int rounds = turns.size() / 2;
        for (int r = 0; r < rounds; r++) {
            String input = instructionText(turns.get(2 * r).text());
            int[] inputIds = hasImage ? ImageTokens.tokenizeWithoutSpecials(input, tok) : tok.encode(input);
            if (needsBos && tok.bosId() >= 0) {
                add(ids, labels, new int[] {tok.bosId()}, false);
            }
            add(ids, labels, inputIds, false);
            String output = turns.get(2 * r + 1).text();
            if (!output.isEmpty()) {
                add(ids, labels, tok.encode(output + suffix), true);
            }
            if (!suffixAsEos) {
                add(ids, labels, new int[] {tok.eosId()}, true);
                needsBos = true;
            } else {
                needsBos = false;
            }
            if (!sep.isEmpty() && r < rounds - 1) {
                add(ids, labels, tok.encode(sep), false);
            }
        }
        return new TokenizedConversation(toArray(ids), toArray(labels)).truncate(maxLength);
    }

    private static void add(List<Integer> ids, List<Integer> labels, int[] tokens, boolean learned) {
        for (int t : tokens) {
            ids.add(t);
            labels.add(learned ? t : ImageTokens.IGNORE_INDEX);
        }
    }

    private static int[] toArray(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public int[] generationPrompt(List<Turn> turns, TextTokenizer tok) {
        ChatTemplate.requireAlternating(turns, true);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < turns.size(); i++) {
            Turn t = turns.get(i);
            if (t.role() == Turn.Role.HUMAN) {
                text.append(instructionText(t.text()));
            } else {
                text.append(t.text()).append(suffix).append(sep);
            }
        }
        int[] body = ImageTokens.tokenizeWithoutSpecials(text.toString(), tok);
        if (tok.bosId() < 0) {
            return body;
        }
        int[] out = new int[body.length + 1];
        out[0] = tok.bosId();
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }
}
