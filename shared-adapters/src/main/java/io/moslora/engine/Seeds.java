package io.moslora.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.RandomUtils;
import java.util.Random;

/**
 * One seed for every random source: torch's default generator (through the engine), DJL's
 * {@link RandomUtils#RANDOM}, and the {@link java.util.Random} streams the project hands out by name.
 * A named stream depends only on the seed and its name, so adding a stream never shifts the others.
 */
public final class Seeds {
    private static volatile long seed = 0L;

    private Seeds() {}

    /** Seeds every source; call once at the start of a run (and of every test that draws random numbers). */
    public static synchronized void seed(long value) {
        seed = value;
        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed((int) torchSeed(value)); // DJL's own Random (and torch, overridden below)
        JniUtils.setSeed(torchSeed(value));
        RandomUtils.RANDOM.setSeed(value);
    }

    /** The seed last given to {@link #seed}. */
    public static long current() {
        return seed;
    }

    /** A fresh, independent {@link Random} for one purpose (e.g. "data.shuffle"), fixed by seed and name. */
    public static Random random(String purpose) {
        return new Random(mix(seed ^ mix(purpose.hashCode() * 0x9E3779B97F4A7C15L)));
    }

    /**
     * torch's CPU generator keeps only the low 32 bits of its seed. Seeds in [0, 2^32) go through unchanged
     * (so {@code seed(42)} draws what {@code torch.manual_seed(42)} draws); larger ones are mixed down to
     * 32 bits so that their high bits still matter.
     */
    static long torchSeed(long value) {
        if ((value >>> 32) == 0) {
            return value;
        }
        long mixed = mix(value);
        return (mixed ^ (mixed >>> 32)) & 0xFFFFFFFFL;
    }

    /** SplitMix64 finaliser: spreads nearby inputs over all 64 bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
