package io.moslora.llava.train;

import java.util.Random;

/**
 * Which samples make micro-batch {@code micro} of optimizer step {@code step}: a pure function of (seed, step,
 * micro), so a resumed run sees exactly the batches an uninterrupted one would. Samples are taken in a fresh
 * seeded permutation per epoch, without replacement within an epoch.
 */
public record TrainingBatches(int samples, int batchSize, int gradAccum, long seed) {
    public TrainingBatches {
        if (samples <= 0) {
            throw new IllegalArgumentException("no training samples");
        }
    }

    public int[] indices(long step, int micro) {
        int[] out = new int[batchSize];
        long first = (step * gradAccum + micro) * (long) batchSize;
        int[] perm = null;
        long permEpoch = -1;
        for (int j = 0; j < batchSize; j++) {
            long g = first + j;
            long epoch = g / samples;
            if (epoch != permEpoch) {
                perm = permutation(epoch);
                permEpoch = epoch;
            }
            out[j] = perm[(int) (g % samples)];
        }
        return out;
    }

    /** Fisher–Yates with a generator seeded from (seed, epoch). */
    int[] permutation(long epoch) {
        int[] p = new int[samples];
        for (int i = 0; i < samples; i++) {
            p[i] = i;
        }
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + epoch);
        for (int i = samples - 1; i > 0; i--) {
            int k = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[k];
            p[k] = t;
        }
        return p;
    }
}
