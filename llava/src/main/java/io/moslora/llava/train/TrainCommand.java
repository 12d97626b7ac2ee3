package io.moslora.llava.train;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./moslora llava train}: visual instruction tuning with LoRA / MoSLoRA from a config file or preset. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Fine-tune a LLaVA model with LoRA / MoSLoRA on the LLM and the vision tower (projector trained).",
            "Writes llm_adapter/ and vision_adapter/ (PEFT), projector.safetensors, train_config.json, metrics.jsonl,",
            "loss.png and checkpoints/ to output_dir. Presets: tiny, llava-llama3-8b-moslora, llava-internlm2-7b-qmoslora."})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE|PRESET",
            description = "YAML or JSON config (may say `preset: NAME` to start from one), or a preset name")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "override a setting, dotted for sections (e.g. --set lr=1e-4 --set llm_adapter.r=16)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", description = "continue from the latest checkpoint in output_dir")
    boolean resume;

    @Option(names = "--print-config", description = "print the resolved config and stop")
    boolean printConfig;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @Override
    public Integer call() {
        LlavaTrainConfig c = LlavaTrainConfig.resolve(config, overrides);
        PrintWriter out = spec.commandLine().getOut();
        if (printConfig) {
            out.print(c.resolvedJson());
            out.flush();
            return 0;
        }
        LlavaTrainer.run(c, resume, !noProgress, out);
        return 0;
    }
}
