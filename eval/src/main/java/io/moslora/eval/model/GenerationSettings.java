package io.moslora.eval.model;

/**
 * How a model should decode one answer. The evaluators decode greedily; only the answer length differs by
 * benchmark kind.
 *
 * @param maxNewTokens upper bound on generated tokens
 * @param temperature 0 for greedy decoding
 */
public record GenerationSettings(int maxNewTokens, double temperature) {
    public GenerationSettings {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be positive, was " + maxNewTokens);
        }
    }

    /** XTuner's LLaVA wrapper for multiple-choice and yes/no: greedy, 5 new tokens (an option letter or a word). */
    public static final GenerationSettings SHORT_ANSWER = new GenerationSettings(5, 0);

    /** Open answers (VQA, MathVista, MM-Vet): greedy, up to 512 new tokens (XTuner's limit). */
    public static final GenerationSettings OPEN_ANSWER = new GenerationSettings(512, 0);

    /** LLM-Adapters' commonsense script: 32 new tokens. */
    public static final GenerationSettings COMMONSENSE = new GenerationSettings(32, 0);

    public boolean greedy() {
        return temperature == 0;
    }
}
