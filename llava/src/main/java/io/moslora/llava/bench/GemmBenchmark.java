package io.moslora.llava.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.moslora.engine.Ops;
import io.moslora.bench.PytorchPeer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The frozen base's matrix products of one LLaMA-like block's LoRA training step, timed alone: our libtorch (DJL's
 * build, MKL sgemm) against the PyTorch eager peer (Debian's, OpenBLAS) at the same thread count. Tells how much of
 * the step-time gap is the BLAS library and how much is everything else.
 */
public final class GemmBenchmark {
    /**
     * One product {@code [m, k] · W}, W stored {@code [n, k]} and used transposed ({@code transposed}, the forward
     * {@code x·Wᵀ}) or stored {@code [k, n]} (the backward {@code ∂y·W}); {@code perStep} times in one step.
     */
    public record Gemm(String role, long m, long k, long n, boolean transposed, int perStep) {
        public String label() {
            return String.format("[%d,%d]·%s", m, k, transposed ? "[" + n + "," + k + "]ᵀ" : "[" + k + "," + n + "]");
        }

        /** How the peer script names it: {@code m,k,n,t|n}. */
        String key() {
            return m + "," + k + "," + n + "," + (transposed ? "t" : "n");
        }

        double gflop() {
            return 2.0 * m * k * n / 1e9;
        }
    }

    /**
     * Median milliseconds per product: ours through DJL's matMul (MKL sgemm), ours through {@link Ops#oneDnnLinear}
     * (oneDNN, forward only), and the peer (null when it is not installed).
     */
    public record Result(Gemm gemm, double mklMs, double oneDnnMs, Double peerMs) {}

    private final List<Gemm> gemms;
    private final int rounds;

    public GemmBenchmark(List<Gemm> gemms, int rounds) {
        this.gemms = List.copyOf(gemms);
        this.rounds = rounds;
    }

    /**
     * The base products of the bench-adapters block: q,k,v,o {@code hidden²}, gate/up and down with {@code inter}.
     * Backward needs ∂x of o, gate, up and down only: q, k and v read the block's input, which needs no gradient
     * there (the embedding and the norms are frozen), and a frozen weight gets no gradient of its own.
     */
    public static List<Gemm> blockGemms(long tokens, long hidden, long inter) {
        return List.of(
                new Gemm("forward q,k,v,o", tokens, hidden, hidden, true, 4),
                new Gemm("forward gate,up", tokens, hidden, inter, true, 2),
                new Gemm("forward down", tokens, inter, hidden, true, 1),
                new Gemm("backward ∂x of o", tokens, hidden, hidden, false, 1),
                new Gemm("backward ∂x of gate,up", tokens, inter, hidden, false, 2),
                new Gemm("backward ∂x of down", tokens, hidden, inter, false, 1));
    }

    public List<Gemm> gemms() {
        return gemms;
    }

    /** Alternates ours and the peer {@code passes} times (load drifts); each side's median over all its passes. */
    public List<Result> run(NDManager manager, Path peerScript, int passes) {
        Map<Gemm, List<Double>> mkl = new LinkedHashMap<>();
        Map<Gemm, List<Double>> oneDnn = new LinkedHashMap<>();
        Map<Gemm, List<Double>> peer = new LinkedHashMap<>();
        boolean peerAvailable = true;
        for (int pass = 0; pass < passes; pass++) {
            for (Gemm g : gemms) {
                List<double[]> t = timeOurs(manager, g);
                t.forEach(pair -> {
                    mkl.computeIfAbsent(g, x -> new ArrayList<>()).add(pair[0]);
                    oneDnn.computeIfAbsent(g, x -> new ArrayList<>()).add(pair[1]);
                });
            }
            if (peerAvailable) {
                PytorchPeer.Result p = PytorchPeer.run(peerScript, peerArgs());
                if (!p.ok()) {
                    peerAvailable = false;
                } else {
                    for (Gemm g : gemms) {
                        // lines "gemm.<shape> <ms> <ms> ..."
                        String times = p.values().getOrDefault("gemm." + g.key(), "");
                        for (String t : times.isBlank() ? new String[0] : times.trim().split("\\s+")) {
                            peer.computeIfAbsent(g, x -> new ArrayList<>()).add(Double.parseDouble(t));
                        }
                    }
                }
            }
        }
        List<Result> out = new ArrayList<>();
        for (Gemm g : gemms) {
            List<Double> p = peer.get(g);
            out.add(new Result(g, median(mkl.get(g)), median(oneDnn.get(g)), p == null || p.isEmpty() ? null : median(p)));
        }
        return out;
    }

    /** Pairs {MKL ms, oneDNN ms}, the two run alternately so that load hits both alike. */
    private List<double[]> timeOurs(NDManager parent, Gemm g) {
        List<double[]> ms = new ArrayList<>();
        try (NDManager m = parent.newSubManager()) {
            NDArray x = m.randomNormal(new Shape(g.m(), g.k()));
            NDArray w = g.transposed() ? m.randomNormal(new Shape(g.n(), g.k())) : m.randomNormal(new Shape(g.k(), g.n()));
            NDArray wUsed = g.transposed() ? w.transpose() : w; // a view, as DJL's linear uses the weight
            // oneDNN gets the same product as a linear layer: a frozen [n, k] weight (the backward's ∂x = ∂y·W
            // is such a product with W's roles swapped; oneDNN runs it inside mkldnn_linear's backward)
            NDArray wLinear = g.transposed() ? w : w.transpose().duplicate();
            for (int i = -2; i < rounds; i++) { // two warm-up products: first touch of the output's memory
                double a = time(() -> x.matMul(wUsed));
                double b = time(() -> Ops.oneDnnLinear(x, wLinear, null));
                if (i >= 0) {
                    ms.add(new double[] {a, b});
                }
            }
        }
        return ms;
    }

    private static double time(java.util.function.Supplier<NDArray> product) {
        long t0 = System.nanoTime();
        NDArray y = product.get();
        y.getFloat(0, 0); // forces completion on any device
        double ms = (System.nanoTime() - t0) / 1e6;
        y.close();
        return ms;
    }

    private List<String> peerArgs() {
        List<String> args = new ArrayList<>(List.of("--rounds", "" + rounds,
                "--threads", System.getProperty("ai.djl.pytorch.num_threads", "0")));
        for (Gemm g : gemms) {
            args.add("--gemm");
            args.add(g.key());
        }
        return args;
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /** GFLOP/s of a product done in {@code ms}. */
    public static double gflops(Gemm g, double ms) {
        return g.gflop() / (ms / 1e3);
    }
}
