package io.moslora.quant;

import io.moslora.cli.UserError;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./moslora quant bench}: storage and speed of the 4-bit kernels on LLaMA-7B-shaped weights, side by side
 * in one run: bits per parameter with and without double quantization, and the dequantization throughput of the
 * native kernel against a plain memory copy of the same output bytes and against the Java reference.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Bits per parameter and dequantization throughput (native vs memcpy vs Java) on LLaMA-shaped layers.")
public final class QuantBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--repeats", defaultValue = "5", description = "Timed runs per measurement, best kept (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--blocksize", defaultValue = "64", description = "Values per absmax block (default: ${DEFAULT-VALUE}).")
    int blocksize;

    @Option(names = "--threads", description = "OpenMP threads for the native kernels and the memcpy (default: all cores).")
    Integer threads;

    /** LLaMA-7B projections: attention (q/k/v/o) and MLP (gate/up; down is its transpose). */
    private static final long[][] LAYERS = {{4096, 4096}, {11008, 4096}};

    @Override
    public Integer call() {
        if (!Nf4Codec.isValidBlocksize(blocksize)) {
            throw new UserError("--blocksize " + blocksize + ": use a power of two from 32 to 4096 (bitsandbytes' sizes)");
        }
        if (repeats < 1) {
            throw new UserError("--repeats " + repeats + ": give at least 1");
        }
        if (threads != null && threads < 1) {
            throw new UserError("--threads " + threads + ": give at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        FourBitKernels nat = FourBitKernels.nativeOrNull();
        if (nat != null && threads != null) {
            NativeFourBitKernels.set_max_threads(threads);
        }
        out.printf(Locale.ROOT, "kernels: %s%s; blocksize %d; best of %d runs%n",
                nat == null ? "java only (native library not available here)" : "native",
                nat == null ? "" : " with " + NativeFourBitKernels.max_threads() + " OpenMP threads", blocksize, repeats);
        out.println();
        out.println("| layer | params | bits/param, double quant | bits/param, plain | quantize native ms | quantize java ms "
                + "| dequant f16 native ms | memcpy same bytes ms | native/memcpy bandwidth | dequant f16 java ms "
                + "| dequant f32 native ms | dequant f32 java ms |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("quant bench").setInitialMax(LAYERS.length * 7L)
                .setStyle(ProgressBarStyle.ASCII).continuousUpdate().build()) {
            for (long[] shape : LAYERS) {
                out.println(row(shape, nat, bar));
                out.flush();
            }
        }
        return 0;
    }

    private String row(long[] shape, FourBitKernels nat, ProgressBar bar) {
        int n = Math.toIntExact(shape[0] * shape[1]);
        float[] w = gaussian(n, 0.02, 42);
        FourBitKernels fast = nat != null ? nat : FourBitKernels.JAVA;
        QuantState dq = QuantState.quantize(fast, w, shape, "float16", FourBitType.NF4, blocksize, true);
        QuantState plain = QuantState.quantize(fast, w, shape, "float16", FourBitType.NF4, blocksize, false);
        bar.step();

        byte[] packed = plain.packed();
        float[] absmax = plain.absmax();
        float[] table = plain.code();
        byte[] qOut = new byte[packed.length];
        float[] aOut = new float[absmax.length];
        double quantNative = nat == null ? Double.NaN : best(() -> time(() -> nat.quantize(w, n, blocksize, FourBitType.NF4, qOut, aOut)));
        bar.step();
        double quantJava = best(() -> time(() -> FourBitKernels.JAVA.quantize(w, n, blocksize, FourBitType.NF4, qOut, aOut)));
        bar.step();

        short[] half = new short[n];
        float[] full = new float[n];
        double dqHalfNative = nat == null ? Double.NaN : best(() -> time(() -> nat.dequantizeHalf(packed, absmax, table, n, blocksize, half)));
        byte[] src = new byte[n * 2];
        byte[] dst = new byte[n * 2];
        double memcpy = nat == null ? Double.NaN : best(() -> time(() -> NativeFourBitKernels.copy_bytes(src, dst, src.length)));
        bar.step();
        double dqHalfJava = best(() -> time(() -> FourBitKernels.JAVA.dequantizeHalf(packed, absmax, table, n, blocksize, half)));
        bar.step();
        double dqFullNative = nat == null ? Double.NaN : best(() -> time(() -> nat.dequantize(packed, absmax, table, n, blocksize, full)));
        bar.step();
        double dqFullJava = best(() -> time(() -> FourBitKernels.JAVA.dequantize(packed, absmax, table, n, blocksize, full)));
        bar.step();

        return String.format(Locale.ROOT, "| %dx%d | %d | %.4f | %.4f | %.1f | %.1f | %.2f | %.2f | %.2f | %.1f | %.2f | %.1f |",
                shape[0], shape[1], n, dq.bitsPerParameter(), plain.bitsPerParameter(), ms(quantNative), ms(quantJava),
                ms(dqHalfNative), ms(memcpy), memcpy / dqHalfNative, ms(dqHalfJava), ms(dqFullNative), ms(dqFullJava));
    }

    /** Best of {@code repeats} timings after one warm-up run. */
    private double best(LongSupplier run) {
        run.getAsLong();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < repeats; i++) {
            best = Math.min(best, run.getAsLong());
        }
        return best;
    }

    private static long time(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return System.nanoTime() - t0;
    }

    private static double ms(double nanos) {
        return nanos / 1e6;
    }

    private static float[] gaussian(int n, double std, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            // Sum of uniforms (Irwin-Hall, 4 terms): Gaussian enough for a weight matrix, far cheaper to draw.
            double s = r.nextDouble() + r.nextDouble() + r.nextDouble() + r.nextDouble() - 2.0;
            w[i] = (float) (s * std * Math.sqrt(3.0));
        }
        return w;
    }
}
