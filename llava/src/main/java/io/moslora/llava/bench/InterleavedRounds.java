package io.moslora.llava.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Times several cases side by side: every round runs each case {@code steps} times, the cases in a fresh seeded
 * order per round, so machine noise and the memory state a predecessor leaves hit all cases alike (measured: the
 * same computation timed 1.4x slower in one fixed slot). The first {@code warmup} rounds are not recorded.
 */
public final class InterleavedRounds {
    private InterleavedRounds() {}

    /** Milliseconds of every recorded run, {@code rounds × steps} per case, by case name (in the given order). */
    public static Map<String, double[]> time(Map<String, Runnable> cases, int warmup, int rounds, int steps, long seed) {
        return time(cases, warmup, rounds, steps, seed, () -> {});
    }

    /** The same, calling {@code afterEach} (e.g. a progress bar) after every run, outside the timed span. */
    public static Map<String, double[]> time(Map<String, Runnable> cases, int warmup, int rounds, int steps, long seed,
            Runnable afterEach) {
        Map<String, double[]> times = new LinkedHashMap<>();
        cases.keySet().forEach(k -> times.put(k, new double[rounds * steps]));
        Random order = new Random(seed);
        List<String> names = new ArrayList<>(cases.keySet());
        for (int r = -warmup; r < rounds; r++) {
            Collections.shuffle(names, order);
            for (String name : names) {
                for (int s = 0; s < steps; s++) {
                    long t0 = System.nanoTime();
                    cases.get(name).run();
                    if (r >= 0) {
                        times.get(name)[r * steps + s] = (System.nanoTime() - t0) / 1e6;
                    }
                    afterEach.run();
                }
            }
        }
        return times;
    }

    /** The median per case. */
    public static Map<String, Double> medians(Map<String, double[]> times) {
        Map<String, Double> medians = new LinkedHashMap<>();
        times.forEach((k, t) -> medians.put(k, median(t)));
        return medians;
    }

    public static double median(double[] xs) {
        double[] c = xs.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
