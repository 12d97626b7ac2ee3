package io.moslora.eval.commonsense;

/**
 * The Alpaca prompt of LLM-Adapters' {@code commonsense_evaluate.py}, byte for byte. Its template lives in an
 * indented triple-quoted string, so every line after the first starts with 16 spaces and the prompt ends with 16
 * spaces; the no-input variant has a space after "request.". Models fine-tuned with that script expect exactly this.
 */
public final class AlpacaPrompt {
    private static final String INDENT = " ".repeat(16);
    /** The model's answer is the text after this marker. */
    public static final String RESPONSE_MARKER = "### Response:";

    private AlpacaPrompt() {}

    /** The prompt for an instruction (the evaluation script never passes an input). */
    public static String build(String instruction) {
        return build(instruction, null);
    }

    public static String build(String instruction, String input) {
        if (input != null && !input.isEmpty()) {
            return "Below is an instruction that describes a task, paired with an input that provides further "
                    + "context. Write a response that appropriately completes the request.\n\n"
                    + INDENT + "### Instruction:\n" + INDENT + instruction + "\n\n"
                    + INDENT + "### Input:\n" + INDENT + input + "\n\n"
                    + INDENT + RESPONSE_MARKER + "\n" + INDENT;
        }
        return "Below is an instruction that describes a task. Write a response that appropriately completes the "
                + "request. \n\n"
                + INDENT + "### Instruction:\n" + INDENT + instruction + "\n\n"
                + INDENT + RESPONSE_MARKER + "\n" + INDENT;
    }

    /** What the script keeps of a decoded sequence: the text after the first response marker, stripped. */
    public static String responseOf(String decoded) {
        int at = decoded.indexOf(RESPONSE_MARKER);
        String tail = at < 0 ? decoded : decoded.substring(at + RESPONSE_MARKER.length());
        int next = tail.indexOf(RESPONSE_MARKER);
        return io.moslora.eval.text.PyText.strip(next < 0 ? tail : tail.substring(0, next));
    }
}
