package io.moslora.llava.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak resident memory of this process while a phase runs, sampled from {@code /proc/self/status} (VmRSS) every
 * 20 ms: libtorch's native tensors do not show in the Java heap, so the heap would under-report. Off Linux it
 * reports -1.
 */
public final class PeakMemory implements AutoCloseable {
    private static final Path STATUS = Path.of("/proc/self/status");
    private final Thread sampler;
    private volatile boolean running = true;
    private volatile long peakKb;

    public PeakMemory() {
        peakKb = currentRssKb();
        sampler = new Thread(() -> {
            while (running) {
                peakKb = Math.max(peakKb, currentRssKb());
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "peak-memory");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** The peak so far in MiB, or -1 when unknown. */
    public double peakMiB() {
        long kb = Math.max(peakKb, currentRssKb());
        return kb < 0 ? -1 : kb / 1024.0;
    }

    /**
     * The kernel's own record of this process's peak resident memory ({@code VmHWM}) in MiB, or -1 off Linux: exact
     * (no sampling), but for the whole life of the process.
     */
    public static double processPeakMiB() {
        long kb = statusKb("VmHWM:");
        return kb < 0 ? -1 : kb / 1024.0;
    }

    static long currentRssKb() {
        return statusKb("VmRSS:");
    }

    private static long statusKb(String field) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }
}
