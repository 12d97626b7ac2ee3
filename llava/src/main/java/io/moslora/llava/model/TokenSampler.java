package io.moslora.llava.model;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;

/** Picks the next token from one row of logits: arg-max, or a seeded draw after temperature, top-k and top-p. */
final class TokenSampler {
    private final GenerationConfig config;
    private final Random random;

    TokenSampler(GenerationConfig config) {
        this.config = config;
        this.random = new Random(config.seed());
    }

    long next(float[] logits) {
        if (config.greedy()) {
            return argMax(logits);
        }
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // most likely first; ties by id so the draw does not depend on sort stability
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i));
        int keep = config.topK() > 0 ? Math.min(config.topK(), order.length) : order.length;
        double max = logits[order[0]];
        double[] p = new double[keep];
        double sum = 0;
        for (int r = 0; r < keep; r++) {
            p[r] = Math.exp((logits[order[r]] - max) / config.temperature());
            sum += p[r];
        }
        // nucleus: the smallest head whose mass reaches top-p (always at least the best token)
        double cumulative = 0;
        int nucleus = keep;
        for (int r = 0; r < keep; r++) {
            cumulative += p[r] / sum;
            if (cumulative >= config.topP()) {
                nucleus = r + 1;
                break;
            }
        }
        double mass = 0;
        for (int r = 0; r < nucleus; r++) {
            mass += p[r];
        }
        double u = random.nextDouble() * mass;
        for (int r = 0; r < nucleus; r++) {
            u -= p[r];
            if (u < 0) {
                return order[r];
            }
        }
        return order[nucleus - 1];
    }

    static long argMax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
