package io.moslora.llava.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * LLaVA's {@code group_by_modality_length} idea, simplified: shuffle with the seed, cut into mega-batches of
 * {@code batchSize * megaBatchFactor}, sort each by length (longest first) and cut into batches, so a batch
 * holds samples of similar length (less padding) while the epoch order stays random.
 */
public final class LengthGroupedBatches {
    private LengthGroupedBatches() {}

    public static List<int[]> batches(int[] lengths, int batchSize, int megaBatchFactor, long seed) {
        if (batchSize <= 0 || megaBatchFactor <= 0) {
            throw new IllegalArgumentException("batchSize and megaBatchFactor must be positive");
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        int mega = batchSize * megaBatchFactor;
        List<int[]> out = new ArrayList<>();
        for (int start = 0; start < order.size(); start += mega) {
            Integer[] group = order.subList(start, Math.min(order.size(), start + mega)).toArray(new Integer[0]);
            Arrays.sort(group, (a, b) -> Integer.compare(lengths[b], lengths[a]));
            for (int b = 0; b < group.length; b += batchSize) {
                out.add(Arrays.stream(group, b, Math.min(group.length, b + batchSize)).mapToInt(Integer::intValue).toArray());
            }
        }
        return out;
    }
}
