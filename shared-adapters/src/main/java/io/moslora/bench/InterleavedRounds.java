package io.moslora.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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

    /**
     * Every recorded run of one case, in milliseconds: wall time, and the CPU time of the calling thread. With one
     * torch thread every op runs on the calling thread, so its CPU time is the work itself, without the time a busy
     * machine kept it waiting.
     */
    public record Samples(double[] wallMs, double[] cpuMs) {}

    /** The medians of one case's {@link Samples}. */
    public record Timing(double wallMs, double cpuMs) {}

    /** Every recorded run, {@code rounds × steps} per case, by case name (in the given order). */
    public static Map<String, Samples> time(Map<String, Runnable> cases, int warmup, int rounds, int steps, long seed) {
        return time(cases, warmup, rounds, steps, seed, () -> {});
    }

    /** The same, calling {@code afterEach} (e.g. a progress bar) after every run, outside the timed span. */
    public static Map<String, Samples> time(Map<String, Runnable> cases, int warmup, int rounds, int steps, long seed,
            Runnable afterEach) {
        Map<String, Samples> times = new LinkedHashMap<>();
        cases.keySet().forEach(k -> times.put(k, new Samples(new double[rounds * steps], new double[rounds * steps])));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Random order = new Random(seed);
        List<String> names = new ArrayList<>(cases.keySet());
        for (int r = -warmup; r < rounds; r++) {
            Collections.shuffle(names, order);
            for (String name : names) {
                for (int s = 0; s < steps; s++) {
                    long c0 = threads.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    cases.get(name).run();
                    if (r >= 0) {
                        times.get(name).wallMs()[r * steps + s] = (System.nanoTime() - t0) / 1e6;
                        times.get(name).cpuMs()[r * steps + s] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
                    }
                    afterEach.run();
                }
            }
        }
        return times;
    }

    /** The medians per case. */
    public static Map<String, Timing> medians(Map<String, Samples> times) {
        Map<String, Timing> medians = new LinkedHashMap<>();
        times.forEach((k, t) -> medians.put(k, new Timing(median(t.wallMs()), median(t.cpuMs()))));
        return medians;
    }

    public static double median(double[] xs) {
        double[] c = xs.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
