package io.moslora.eval.judge;

/**
 * A judge language model that grades or matches answers (VLMEvalKit uses GPT models through an OpenAI-compatible
 * chat API). Implementations return the answer text, or a text containing {@link #FAILURE} after their own retries
 * are spent — exactly the contract VLMEvalKit's evaluators are written against.
 */
public interface Judge {
    /** VLMEvalKit's failure message (the evaluators test for it as a substring). */
    String FAILURE = "Failed to obtain answer via API. ";

    String generate(String prompt, double temperature);

    /** The model name, used in file names such as {@code _gpt-4o-mini_score.csv}. */
    String name();
}
