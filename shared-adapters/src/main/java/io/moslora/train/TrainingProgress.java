package io.moslora.train;

import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The progress bar every long job shows: steps done/total, rate and ETA from the library, plus the loss and
 * whatever the job adds (lr, tokens/s). Written to stderr so stdout stays machine-readable.
 */
public final class TrainingProgress implements AutoCloseable {
    private final ProgressBar bar;

    public TrainingProgress(String task, long totalSteps, long alreadyDone) {
        this(task, totalSteps, alreadyDone, System.err);
    }

    public TrainingProgress(String task, long totalSteps, long alreadyDone, PrintStream stream) {
        this.bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(totalSteps)
                .startsFrom(alreadyDone, java.time.Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(stream))
                .setUpdateIntervalMillis(500)
                .showSpeed()
                .build();
    }

    /** Marks one step done and shows its metrics, e.g. {@code step(String.format("loss %.4f lr %.2e", …))}. */
    public void step(String metrics) {
        bar.setExtraMessage(metrics);
        bar.step();
    }

    @Override
    public void close() {
        bar.close();
    }
}
