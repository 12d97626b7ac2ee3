package io.moslora.llava.demo;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./moslora demo}: the whole product on a toy scale, offline, in minutes on a laptop CPU. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The embedded demo, nothing downloaded: make a synthetic visual-instruction data set, pre-train a",
            "tiny LLaVA on it, fine-tune it with MoSLoRA and with LoRA, and compare them on held-out questions.",
            "Writes report.md, loss_curves.png and every model to --out."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", defaultValue = "work-dirs/demo", description = "output folder (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--pretrain-steps", description = "steps of the base pre-training (default 3000)")
    Long pretrainSteps;

    @Option(names = "--finetune-steps", description = "steps of each fine-tune (default 600)")
    Long finetuneSteps;

    @Option(names = "--train", description = "training samples to generate (default 2000)")
    Integer train;

    @Option(names = "--heldout", description = "held-out questions (default 200)")
    Integer heldOut;

    @Option(names = "--seed", description = "seed of data, weights and batches (default 7)")
    Long seed;

    @Option(names = "--no-progress", description = "no progress bars")
    boolean noProgress;

    @Override
    public Integer call() {
        DemoPipeline.Options d = DemoPipeline.Options.standard();
        DemoPipeline.Options o = new DemoPipeline.Options(positive(train, d.trainSamples(), "--train"),
                positive(heldOut, d.heldOutSamples(), "--heldout"),
                positive(pretrainSteps, d.pretrainSteps(), "--pretrain-steps"),
                positive(finetuneSteps, d.finetuneSteps(), "--finetune-steps"), d.batchSize(), d.rank(),
                seed == null ? d.seed() : seed, !noProgress);
        PrintWriter log = spec.commandLine().getOut();
        DemoPipeline.Report r = DemoPipeline.run(out, o, log);
        log.println();
        log.print(DemoReport.markdown(r, o));
        log.flush();
        return 0;
    }

    private static int positive(Integer v, int def, String name) {
        return (int) positive(v == null ? null : (long) v, def, name);
    }

    private static long positive(Long v, long def, String name) {
        if (v == null) {
            return def;
        }
        if (v <= 0) {
            throw new io.moslora.cli.UserError(name + " " + v + ": must be positive");
        }
        return v;
    }
}
