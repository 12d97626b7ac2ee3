package io.moslora.eval.human;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Shuffles the order of pairs and, independently per pair, which side system A is shown on. {@link Random} is
 * specified bit-for-bit by the JDK, so the same seed gives the same study on every machine.
 */
public final class Blinding {
    private Blinding() {}

    public static List<BlindedPair> blind(List<ComparisonPair> pairs, long seed) {
        List<ComparisonPair> order = new ArrayList<>(pairs);
        // Start from a canonical order so the result depends on the seed only, not on directory listing order.
        order.sort(Comparator.comparing(ComparisonPair::subject)
                .thenComparing(ComparisonPair::prompt)
                .thenComparing(p -> p.imageA().toString())
                .thenComparing(p -> p.imageB().toString()));
        Random random = new Random(seed);
        Collections.shuffle(order, random);
        int digits = Math.max(2, String.valueOf(order.size()).length());
        List<BlindedPair> blinded = new ArrayList<>(order.size());
        for (int i = 0; i < order.size(); i++) {
            String id = "p" + String.format("%0" + digits + "d", i + 1);
            blinded.add(new BlindedPair(id, order.get(i), random.nextBoolean() ? Side.LEFT : Side.RIGHT));
        }
        return List.copyOf(blinded);
    }
}
