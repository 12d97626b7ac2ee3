package io.moslora.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InterleavedRoundsTest {
    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(InterleavedRounds.median(new double[] {5, 1, 3})).isEqualTo(3.0);
        assertThat(InterleavedRounds.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    }

    @Test
    void everyCaseRunsWarmupPlusRoundsTimesSteps() {
        int[] calls = new int[2];
        int[] after = new int[1];
        var times = InterleavedRounds.time(new LinkedHashMap<>(Map.of("a", () -> calls[0]++, "b", () -> calls[1]++)),
                2, 3, 4, 1, () -> after[0]++);
        assertThat(calls).containsExactly(20, 20);
        assertThat(after[0]).isEqualTo(40);
        assertThat(times.get("a").wallMs()).hasSize(12);
        assertThat(times.get("a").cpuMs()).hasSize(12);
    }

    @Test
    void eachRoundRunsTheCasesInAFreshSeededOrderStepsTogether() {
        List<String> ran = new ArrayList<>();
        Map<String, Runnable> cases = new LinkedHashMap<>();
        for (String name : List.of("a", "b", "c", "d")) {
            cases.put(name, () -> ran.add(name));
        }
        InterleavedRounds.time(cases, 1, 5, 2, 42);
        // the same shuffles, replayed: one per round (warm-up included), each case's steps back to back
        List<String> expected = new ArrayList<>();
        Random order = new Random(42);
        List<String> names = new ArrayList<>(cases.keySet());
        List<List<String>> orders = new ArrayList<>();
        for (int r = 0; r < 6; r++) {
            Collections.shuffle(names, order);
            orders.add(List.copyOf(names));
            names.forEach(n -> expected.addAll(List.of(n, n)));
        }
        assertThat(ran).isEqualTo(expected);
        assertThat(orders.stream().distinct().count()).as("the order changes between rounds").isGreaterThan(1);
    }

    @Test
    void recordsWallAndThreadCpuMillisecondsPerRunAndTheirMedians() {
        Map<String, Runnable> cases = new LinkedHashMap<>();
        cases.put("sleep", () -> sleep(3));
        cases.put("spin", () -> spin(1));
        var times = InterleavedRounds.time(cases, 0, 3, 1, 7);
        InterleavedRounds.Samples s = times.get("sleep");
        // sleeping takes at least its time on the wall clock but hardly any CPU time of the thread; spinning takes some
        for (int i = 0; i < 3; i++) {
            assertThat(s.wallMs()[i]).isGreaterThanOrEqualTo(3.0);
            assertThat(s.cpuMs()[i]).isLessThan(s.wallMs()[i]);
            assertThat(times.get("spin").cpuMs()[i]).isPositive();
        }
        InterleavedRounds.Timing median = InterleavedRounds.medians(times).get("sleep");
        assertThat(median.wallMs()).isEqualTo(InterleavedRounds.median(s.wallMs()));
        assertThat(median.cpuMs()).isEqualTo(InterleavedRounds.median(s.cpuMs()));
    }

    private static void spin(long ms) {
        long end = System.nanoTime() + ms * 1_000_000;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
