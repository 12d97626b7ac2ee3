package io.moslora.llava.model;

import java.util.List;
import java.util.Set;

/**
 * How to continue a prompt.
 *
 * @param maxNewTokens stop after this many new tokens
 * @param temperature 0 for greedy decoding; otherwise logits are divided by it and a token is drawn
 * @param topP nucleus sampling: draw only from the most likely tokens whose probabilities add up to {@code topP}
 *     (1: no cut)
 * @param topK draw only from the {@code topK} most likely tokens (0: no cut)
 * @param seed fixes the draws, so a sampled answer can be reproduced
 * @param eosIds ids that end the answer (not part of the result)
 * @param stopSequences id sequences that end the answer when generated (not part of the result), e.g. the
 *     template's turn separator
 * @param useCache reuse keys and values of earlier tokens (false recomputes the whole sequence every step)
 */
public record GenerationConfig(int maxNewTokens, double temperature, double topP, int topK, long seed,
        Set<Long> eosIds, List<long[]> stopSequences, boolean useCache) {

    public GenerationConfig {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("max new tokens must be ≥ 0, got " + maxNewTokens);
        }
        if (temperature < 0 || Double.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be ≥ 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be ≥ 0, got " + topK);
        }
        eosIds = Set.copyOf(eosIds);
        stopSequences = List.copyOf(stopSequences);
    }

    /** Greedy decoding with the KV cache, ending at {@code eosIds}. */
    public static GenerationConfig greedy(int maxNewTokens, Set<Long> eosIds) {
        return new GenerationConfig(maxNewTokens, 0, 1, 0, 0, eosIds, List.of(), true);
    }

    public GenerationConfig withSampling(double temperature, double topP, int topK, long seed) {
        return new GenerationConfig(maxNewTokens, temperature, topP, topK, seed, eosIds, stopSequences, useCache);
    }

    public GenerationConfig withStopSequences(List<long[]> sequences) {
        return new GenerationConfig(maxNewTokens, temperature, topP, topK, seed, eosIds, sequences, useCache);
    }

    public GenerationConfig withCache(boolean on) {
        return new GenerationConfig(maxNewTokens, temperature, topP, topK, seed, eosIds, stopSequences, on);
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
