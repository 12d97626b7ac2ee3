package io.moslora.quant;

import io.moslora.engine.OwnedArrays;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.AdapterKind;
import io.moslora.cli.UserError;
import io.moslora.engine.Seeds;
import io.moslora.engine.StepScope;
import io.moslora.nn.Module;
import io.moslora.nn.Parameter;
import io.moslora.train.AdamW;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./moslora quant bench-train}: side by side in one run, (1) a QMoSLoRA training step (NF4 + double quant
 * base) against a MoSLoRA step on the f32 base of one LLaMA block, and (2) our 4-bit matmul against onnxruntime's
 * {@code com.microsoft::MatMulBnb4} on the same packed weight. Variants alternate round by round so machine noise
 * hits them alike; medians are reported.
 */
@Command(
        name = "bench-train",
        mixinStandardHelpOptions = true,
        description = "QMoSLoRA vs MoSLoRA training step on a LLaMA block, and our 4-bit matmul vs onnxruntime MatMulBnb4.")
public final class QuantTrainBenchCommand implements Callable<Integer> {
    private static final List<String> TARGETS =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    private static final int WARMUP = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--hidden", defaultValue = "256", description = "Hidden size of the block (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--seq", defaultValue = "128", description = "Sequence length (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--batch", defaultValue = "4", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--rank", defaultValue = "8", description = "Adapter rank (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--rounds", defaultValue = "10", description = "Timed rounds, median kept (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--matmul", defaultValue = "4096x4096", description = "Weight [out]x[in] for the matmul comparison (default: ${DEFAULT-VALUE}).")
    String matmul;

    @Option(names = "--rows", split = ",", defaultValue = "1,64", description = "Input rows M for the matmul comparison (default: ${DEFAULT-VALUE}).")
    int[] rows;

    @Override
    public Integer call() throws OrtException {
        if (hidden < 64 || hidden % 64 != 0 || seq < 1 || batch < 1 || rank < 1 || rounds < 1) {
            throw new UserError("--hidden must be a multiple of 64; --seq, --batch, --rank, --rounds at least 1");
        }
        long[] w = parseShape(matmul);
        PrintWriter out = spec.commandLine().getOut();
        int inter = hidden * 8 / 3 / 64 * 64;
        try (NDManager m = NDManager.newBaseManager();
                ProgressBar bar = new ProgressBarBuilder().setTaskName("quant bench-train")
                        .setInitialMax(2L * rounds + 2 + (long) rows.length * 3 * rounds)
                        .setStyle(ProgressBarStyle.ASCII).continuousUpdate().build()) {
            Variant dense = variant(m, inter, false);
            Variant quant = variant(m, inter, true);
            NDArray x = m.randomNormal(new Shape(batch, seq, hidden));
            double[] tDense = new double[rounds];
            double[] tQuant = new double[rounds];
            for (int i = 0; i < WARMUP; i++) { // libtorch needs a few steps before its timings settle
                dense.step(x, m);
                quant.step(x, m);
            }
            bar.step().step();
            for (int r = 0; r < rounds; r++) {
                tDense[r] = dense.step(x, m);
                bar.step();
                tQuant[r] = quant.step(x, m);
                bar.step();
            }
            out.printf(Locale.ROOT, "LLaMA block: hidden %d, intermediate %d, heads %d, batch %d, seq %d; adapters r=%d on %s;"
                    + " AdamW; median of %d rounds%n%n", hidden, inter, hidden / 64, batch, seq, rank, String.join(",", TARGETS), rounds);
            out.println("| variant | train step ms | resident weights + adapters + AdamW state, bytes |");
            out.println("|---|---|---|");
            out.printf(Locale.ROOT, "| MoSLoRA, f32 base | %.1f | %d |%n", median(tDense), dense.residentBytes());
            out.printf(Locale.ROOT, "| QMoSLoRA, NF4 + double-quant base | %.1f | %d |%n", median(tQuant), quant.residentBytes());
            out.printf(Locale.ROOT, "| **ratio QMoSLoRA / MoSLoRA** | **%.2f** | **%.3f** |%n%n", median(tQuant) / median(tDense),
                    (double) quant.residentBytes() / dense.residentBytes());
            out.flush();

            out.printf(Locale.ROOT, "4-bit matmul, weight %dx%d NF4 blocksize 64 (plain absmax, as MatMulBnb4 takes it); median of %d%n%n",
                    w[0], w[1], rounds);
            out.println("| M | ours, device path: TorchDequantizer + matmul ms | ours, CPU path: Linear4bit.forward (native dequant + matmul) ms "
                    + "| onnxruntime MatMulBnb4 ms | device path / ORT | CPU path / ORT |");
            out.println("|---|---|---|---|---|---|");
            for (int mRows : rows) {
                out.println(matmulRow(m, w, mRows, bar));
                out.flush();
            }
        }
        return 0;
    }

    /** A block with MoSLoRA adapters over a dense or a 4-bit base, and its optimizer. */
    private final class Variant {
        final BenchLlamaBlock block;
        final AdamW opt;
        final Map<String, Parameter> trainable;

        Variant(BenchLlamaBlock block, AdamW opt, Map<String, Parameter> trainable) {
            this.block = block;
            this.opt = opt;
            this.trainable = trainable;
        }

        double step(NDArray x, NDManager root) {
            long t0 = System.nanoTime();
            try (StepScope scope = new StepScope(root)) {
                opt.zeroGradients();
                NDArray in = x.duplicate();
                scope.attach(in);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(block.forward(in).square().mean());
                }
                opt.step(1e-4, scope.manager());
            }
            return (System.nanoTime() - t0) / 1e6;
        }

        /** Weights as held (dense arrays, or 4-bit codes + scales), adapters, and AdamW's two moments. */
        long residentBytes() {
            long bytes = 0;
            for (Parameter p : block.distinctParameters()) {
                if (p.isMaterialized()) {
                    bytes += p.numel() * p.array().getDataType().getNumOfBytes();
                }
            }
            for (Module mod : block.namedModules().values()) {
                if (mod instanceof Linear4bit q) {
                    QuantState s = q.state();
                    bytes += s.packed().length + 16 * 4;
                    bytes += s.doubleQuant() ? s.nested().codes().length + 4L * s.nested().scales().length + 256 * 4 + 4
                            : 4L * s.absmax().length;
                }
            }
            for (Parameter p : trainable.values()) {
                bytes += 2 * p.numel() * 4;
            }
            return bytes;
        }
    }

    private Variant variant(NDManager m, int inter, boolean quantized) {
        Seeds.seed(1);
        BenchLlamaBlock block = new BenchLlamaBlock(hidden, hidden / 64, inter);
        block.materialize(m, DataType.FLOAT32);
        if (quantized) {
            Quantizer.quantizeModel(block, QuantOptions.qlora(), m);
        }
        AdapterInjector.inject(block, AdapterConfig.of(AdapterKind.MOSLORA, rank, 2.0 * rank, TARGETS), m);
        Map<String, Parameter> trainable = block.trainableParameters();
        return new Variant(block, new AdamW(trainable, m, 0.9, 0.999, 1e-8, 0.0), trainable);
    }

    private String matmulRow(NDManager m, long[] w, int mRows, ProgressBar bar) throws OrtException {
        int n = (int) w[0];
        int k = (int) w[1];
        float[] weights = gaussian(n * k, 0.02, 7);
        QuantState s = QuantState.quantize(weights, w, "float32", FourBitType.NF4, 64, false);
        Linear4bit layer = new Linear4bit(s, false, m);
        float[] a = gaussian(mRows * k, 1.0, 11);
        double[] tLinear = new double[rounds];
        double[] tNative = new double[rounds];
        double[] tOrt = new double[rounds];
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(MatMulBnb4Model.build(mRows, k, n, s), new OrtSession.SessionOptions());
                OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(a), new long[] {mRows, k})) {
            for (int r = -WARMUP; r < rounds; r++) {
                double t1 = timeMs(() -> {
                    try (NDManager step = m.newSubManager()) {
                        NDArray dense = TorchDequantizer.dequantize(step, s, DataType.FLOAT32);
                        OwnedArrays.create(step, a, new Shape(mRows, k)).matMul(dense.transpose()).toFloatArray();
                    }
                });
                double t2 = timeMs(() -> {
                    try (NDManager step = m.newSubManager()) {
                        layer.forward(OwnedArrays.create(step, a, new Shape(mRows, k))).toFloatArray();
                    }
                });
                long t0 = System.nanoTime();
                try (OrtSession.Result res = session.run(Map.of("A", input))) {
                    res.get(0).getValue();
                }
                double t3 = (System.nanoTime() - t0) / 1e6;
                if (r >= 0) {
                    tLinear[r] = t1;
                    tNative[r] = t2;
                    tOrt[r] = t3;
                    bar.stepBy(3);
                }
            }
        }
        double l = median(tLinear);
        double nat = median(tNative);
        double ort = median(tOrt);
        return String.format(Locale.ROOT, "| %d | %.2f | %.2f | %.2f | %.2f | %.2f |", mRows, l, nat, ort, l / ort, nat / ort);
    }

    private static long[] parseShape(String text) {
        String[] parts = text.toLowerCase(Locale.ROOT).split("x");
        try {
            if (parts.length == 2) {
                long[] s = {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
                if (s[0] > 0 && s[1] > 0 && s[0] * s[1] < Integer.MAX_VALUE / 2) {
                    return s;
                }
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UserError("--matmul " + text + ": give OUTxIN, e.g. 4096x4096");
    }

    private static double timeMs(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e6;
    }

    static double median(double[] xs) {
        double[] c = xs.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    private static float[] gaussian(int n, double std, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            double s = r.nextDouble() + r.nextDouble() + r.nextDouble() + r.nextDouble() - 2.0;
            w[i] = (float) (s * std * Math.sqrt(3.0));
        }
        return w;
    }
}
