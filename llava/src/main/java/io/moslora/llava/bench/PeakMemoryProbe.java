package io.moslora.llava.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.moslora.llava.train.PeakMemory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Peak resident memory of one bench variant on its own. The timing run keeps all variants alive in one process,
 * so their memory cannot be told apart there; instead a fresh JVM builds only the one variant, runs its steps and
 * reports the kernel's peak RSS ({@code VmHWM}: Java heap, JIT, libtorch's native tensors, all of it). A fresh JVM
 * that only starts the engine gives the baseline to subtract.
 */
public final class PeakMemoryProbe {
    /** The line the child prints. */
    static final String KEY = "peak_rss_mib ";
    /** The variant argument for the engine-only baseline. */
    static final String ENGINE_ONLY = "ENGINE";

    /** Child entry point: {@code PRESET VARIANT|ENGINE BATCH TEXT_TOKENS RANK STEPS THREADS}. */
    public static void main(String[] args) {
        Engine.getInstance();
        JniUtils.setNumThreads(Integer.parseInt(args[6]));
        LlavaTrainBenchmark.Settings s = new LlavaTrainBenchmark.Settings(LlavaTrainBenchmark.Preset.valueOf(args[0]),
                Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]), 0, 1,
                Integer.parseInt(args[5]));
        try (NDManager root = NDManager.newBaseManager()) {
            if (ENGINE_ONLY.equals(args[1])) {
                root.ones(new Shape(4, 4)).matMul(root.ones(new Shape(4, 4))).getFloat(0, 0); // the engine, loaded and used
            } else {
                LlavaTrainBenchmark b = new LlavaTrainBenchmark(s);
                Runnable step = b.trainStep(b.build(LlavaTrainBenchmark.Variant.valueOf(args[1]), root), root);
                for (int i = 0; i < s.steps(); i++) {
                    step.run();
                }
            }
        }
        System.out.println(KEY + PeakMemory.processPeakMiB());
    }

    private PeakMemoryProbe() {}

    /**
     * Runs the probe in a child JVM with this JVM's heap limit and system properties; {@code variant} null measures
     * the engine-only baseline. Returns MiB, or -1 when the child failed or the platform has no VmHWM.
     */
    public static double measure(LlavaTrainBenchmark.Settings s, LlavaTrainBenchmark.Variant variant, int threads) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-Xmx") || a.startsWith("-D")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PeakMemoryProbe.class.getName(),
                s.preset().name(), variant == null ? ENGINE_ONLY : variant.name(), "" + s.batch(), "" + s.textTokens(),
                "" + s.rank(), "" + Math.max(2, s.steps()), "" + threads));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DJL_OFFLINE", "true");
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            int rc = p.waitFor();
            for (String line : out.split("\n")) {
                if (rc == 0 && line.startsWith(KEY)) {
                    return Double.parseDouble(line.substring(KEY.length()).trim());
                }
            }
            System.err.println("peak memory probe failed (exit " + rc + "): " + out.lines().reduce((a, b) -> b).orElse(""));
            return -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
