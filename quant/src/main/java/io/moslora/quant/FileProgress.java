package io.moslora.quant;

import io.moslora.io.SafetensorsFile;
import java.nio.file.Path;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar over the tensors of one file (on stderr), stepped once per tensor. */
final class FileProgress implements Consumer<String>, AutoCloseable {
    private final ProgressBar bar;

    private FileProgress(ProgressBar bar) {
        this.bar = bar;
    }

    static FileProgress of(String task, Path file) {
        long total;
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            total = f.names().size();
        }
        return new FileProgress(new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).continuousUpdate().build());
    }

    @Override
    public void accept(String tensor) {
        bar.step();
    }

    @Override
    public void close() {
        bar.close();
    }
}
