package io.moslora.llava;

import io.moslora.llava.data.demo.DemoDatasetGenerator;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./moslora demo-data}: writes the demo's synthetic visual-instruction data set. */
@Command(name = "demo-data", mixinStandardHelpOptions = true,
        description = "Write a small synthetic visual-instruction data set (shapes, colours, counts, positions drawn "
                + "with Java2D) in LLaVA JSON format, with a held-out split also as a VLMEvalKit MCQ TSV.")
public final class DemoDataCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    Path out;

    @Option(names = "--train", defaultValue = "800", description = "training samples (default ${DEFAULT-VALUE})")
    int train;

    @Option(names = "--heldout", defaultValue = "200", description = "held-out samples (default ${DEFAULT-VALUE})")
    int heldOut;

    @Option(names = "--image-size", defaultValue = "64", description = "image side in pixels (default ${DEFAULT-VALUE})")
    int imageSize;

    @Option(names = "--mcq-share", defaultValue = "0.3", description = "share of training prompts asked as multiple choice (default ${DEFAULT-VALUE})")
    double mcqShare;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() {
        if (train < 0 || heldOut < 0) {
            throw new io.moslora.cli.UserError("--train/--heldout: counts must not be negative");
        }
        if (imageSize < 16) {
            throw new io.moslora.cli.UserError("--image-size " + imageSize + ": must be at least 16");
        }
        if (mcqShare < 0 || mcqShare > 1) {
            throw new io.moslora.cli.UserError("--mcq-share " + mcqShare + ": must be within [0, 1]");
        }
        DemoDatasetGenerator.generate(out, new DemoDatasetGenerator.Options(train, heldOut, imageSize, seed, mcqShare, true));
        spec.commandLine().getOut().println("wrote " + train + " training and " + heldOut + " held-out samples to " + out);
        return 0;
    }
}
