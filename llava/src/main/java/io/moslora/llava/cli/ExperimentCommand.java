package io.moslora.llava.cli;

import ai.djl.ndarray.NDManager;
import io.moslora.llava.experiment.MixerExperiment;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code moslora experiment mixers}: LoRA vs MoSLoRA mixer inits vs TS-Mixing on a task that trains on a CPU. */
@Command(name = "experiment", mixinStandardHelpOptions = true, description = "Small, honest experiments.",
        subcommands = {ExperimentCommand.Mixers.class})
public final class ExperimentCommand extends io.moslora.cli.CommandGroup {

    @Command(name = "mixers", mixinStandardHelpOptions = true,
            description = "Fine-tune a frozen pre-trained decoder with LoRA, MoSLoRA (kaiming, orthogonal, identity, "
                    + "normal, zero mixers) and TS-Mixing at equal rank over several seeds; print mean ± std.")
    static final class Mixers implements Callable<Integer> {
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--seeds", defaultValue = "3", description = "Seeds per variant (default: ${DEFAULT-VALUE}).")
        int seeds;
        @Option(names = "--steps", defaultValue = "150", description = "Fine-tuning steps (default: ${DEFAULT-VALUE}).")
        int steps;
        @Option(names = "--rank", defaultValue = "8", description = "Adapter rank (default: ${DEFAULT-VALUE}).")
        int rank;
        @Option(names = "--alpha", defaultValue = "16", description = "lora_alpha (default: ${DEFAULT-VALUE}).")
        double alpha;
        @Option(names = "--lr", defaultValue = "3e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
        double lr;
        @Option(names = "--batch", defaultValue = "32", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
        int batch;
        @Option(names = "--pretrain-steps", defaultValue = "400", description = "Base pre-training steps (default: ${DEFAULT-VALUE}).")
        int pretrainSteps;
        @Option(names = "--out", defaultValue = "work-dirs/experiment-mixers", description = "Output folder (default: ${DEFAULT-VALUE}).")
        Path out;

        @Override
        public Integer call() {
            if (seeds < 1 || steps < 1 || rank < 1 || batch < 1 || pretrainSteps < 1) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--seeds, --steps, --rank, --batch and --pretrain-steps must be positive");
            }
            MixerExperiment.Settings s = new MixerExperiment.Settings(seeds, steps, rank, alpha, lr, batch, pretrainSteps,
                    64, 6, true);
            try (NDManager m = NDManager.newBaseManager()) {
                var results = new MixerExperiment(s).runAll(MixerExperiment.VARIANTS, m);
                MixerExperiment.writeReport(out, results, s);
                spec.commandLine().getOut().print(MixerExperiment.markdown(results, s));
                spec.commandLine().getOut().printf("%nwrote %s/{results.md,results.csv,loss_curves.png}%n", out);
            }
            return 0;
        }
    }
}
