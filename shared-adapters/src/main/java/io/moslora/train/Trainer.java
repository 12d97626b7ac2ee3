package io.moslora.train;

import io.moslora.engine.Scalars;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.moslora.engine.Seeds;
import io.moslora.engine.StepScope;
import io.moslora.io.AtomicFiles;
import io.moslora.nn.Module;
import io.moslora.nn.Parameter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The training loop every pipeline shares: gradient accumulation, clipping by global norm, AdamW with a
 * schedule, a progress bar, and atomic checkpoints with exact resume. Each step runs in its own memory scope
 * and reseeds from (seed, step), so a run killed and resumed ends with the same weights as one that was not.
 */
public final class Trainer {
    /**
     * @param outDir where checkpoints, {@code metrics.jsonl} and {@code loss.png} go; null keeps nothing on disk
     */
    public record Settings(long steps, int gradAccum, double maxGradNorm, LrSchedule schedule, double weightDecay,
            long seed, int checkpointEvery, int keepCheckpoints, Path outDir, boolean resume, String taskName,
            boolean showProgress) {
        public static Settings quick(long steps, double lr, long seed) {
            return new Settings(steps, 1, 1.0, new LrSchedule(LrSchedule.Kind.CONSTANT, lr, 0, steps), 0.0, seed, 0, 2,
                    null, false, "train", false);
        }
    }

    /** The loss of one micro-batch: a pure function of (step, micro) and the model, built in {@code scope}. */
    @FunctionalInterface
    public interface LossFunction {
        NDArray loss(long step, int micro, StepScope scope);
    }

    /**
     * Work between steps (validation images, say), after the step's checkpoint. It may use the model in eval
     * mode and draw random numbers: the next step reseeds from (seed, step) and the trainer puts the model back in
     * training mode, so what it does cannot change the steps that follow.
     */
    @FunctionalInterface
    public interface StepListener {
        void afterStep(long stepsDone);
    }

    /** Mean loss per step (step, loss), steps run in this call, and wall time. */
    public record Result(List<double[]> losses, long stepsRun, double seconds) {
        public double finalLoss(int lastN) {
            int n = Math.min(lastN, losses.size());
            return losses.subList(losses.size() - n, losses.size()).stream().mapToDouble(l -> l[1]).average().orElse(Double.NaN);
        }
    }

    private Trainer() {}

    public static Result run(Module model, Settings s, LossFunction fn, NDManager root) {
        return run(model, s, fn, root, Map.of(), null);
    }

    /** As {@link #run(Module, Settings, LossFunction, NDManager)}, some parameters with their own lr factor and decay. */
    public static Result run(Module model, Settings s, LossFunction fn, NDManager root, Map<String, AdamW.Group> groups) {
        return run(model, s, fn, root, groups, null);
    }

    /** As {@link #run(Module, Settings, LossFunction, NDManager)}, calling {@code afterStep} (if not null) after every step. */
    public static Result run(Module model, Settings s, LossFunction fn, NDManager root, StepListener afterStep) {
        return run(model, s, fn, root, Map.of(), afterStep);
    }

    /** The loop itself: optional parameter groups and an optional listener called after every step. */
    public static Result run(Module model, Settings s, LossFunction fn, NDManager root, Map<String, AdamW.Group> groups,
            StepListener afterStep) {
        Map<String, Parameter> params = model.trainableParameters();
        NDManager optState = root.newSubManager();
        AdamW opt = new AdamW(params, optState, 0.9, 0.999, 1e-8, s.weightDecay(), groups);
        Checkpoints ckpt = s.outDir() == null ? null : new Checkpoints(s.outDir().resolve("checkpoints"), s.keepCheckpoints());
        List<double[]> losses = new ArrayList<>();
        long start = 0;
        if (s.resume() && ckpt != null && ckpt.latest().isPresent()) {
            Checkpoints.State st = Checkpoints.restore(ckpt.latest().get(), params, opt, optState);
            start = st.step();
            losses.addAll(st.losses());
        }
        model.train(true);
        long t0 = System.nanoTime();
        try (TrainingProgress bar = s.showProgress() ? new TrainingProgress(s.taskName(), s.steps(), start) : null) {
            for (long step = start; step < s.steps(); step++) {
                Seeds.seed(s.seed() * 1_000_003L + step);
                double lr = s.schedule().at(step);
                double loss;
                try (StepScope scope = new StepScope(root)) {
                    opt.zeroGradients();
                    double sum = 0;
                    for (int micro = 0; micro < s.gradAccum(); micro++) {
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray l = fn.loss(step, micro, scope);
                            gc.backward(Scalars.div(l, s.gradAccum()));
                            sum += l.getFloat();
                        }
                    }
                    if (s.maxGradNorm() > 0) {
                        GradientClipping.clipByGlobalNorm(params.values(), s.maxGradNorm(), scope.manager());
                    }
                    opt.step(lr, scope.manager());
                    loss = sum / s.gradAccum();
                }
                losses.add(new double[] {step + 1, loss});
                if (bar != null) {
                    bar.step(String.format(Locale.ROOT, "loss %.4f lr %.2e", loss, lr));
                }
                if (ckpt != null && s.checkpointEvery() > 0 && (step + 1) % s.checkpointEvery() == 0 && step + 1 < s.steps()) {
                    ckpt.save(step + 1, params, opt, losses);
                    writeMetrics(s.outDir(), losses, s.taskName());
                }
                if (afterStep != null) {
                    afterStep.afterStep(step + 1);
                    model.train(true);
                }
            }
        } finally {
            model.train(false);
            optState.close(); // the optimizer's moments live only as long as the run (checkpoints keep them)
        }
        if (s.outDir() != null) {
            writeMetrics(s.outDir(), losses, s.taskName());
        }
        return new Result(losses, s.steps() - start, (System.nanoTime() - t0) / 1e9);
    }

    /** {@code metrics.jsonl} (one line per step) and {@code loss.png}, both replaced atomically. */
    private static void writeMetrics(Path outDir, List<double[]> losses, String title) {
        StringBuilder sb = new StringBuilder();
        for (double[] l : losses) {
            sb.append(String.format(Locale.ROOT, "{\"step\":%d,\"loss\":%.6f}%n", (long) l[0], l[1]));
        }
        AtomicFiles.writeString(outDir.resolve("metrics.jsonl"), sb.toString());
        LossCurve.writePng(outDir.resolve("loss.png"), title, Map.of(title, losses));
    }
}
