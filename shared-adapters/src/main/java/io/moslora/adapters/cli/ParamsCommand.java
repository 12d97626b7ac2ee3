package io.moslora.adapters.cli;

import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.MixerInit;
import io.moslora.cli.UserError;
import io.moslora.config.HfConfig;
import io.moslora.config.HfConfigs;
import io.moslora.nn.ArchitectureProvider;
import io.moslora.nn.Module;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code moslora params}: base, adapter and trainable parameter counts of an architecture, with no weights. */
@Command(name = "params", mixinStandardHelpOptions = true,
        description = "Count base, adapter and trainable parameters of a model built shape-only from its config.json.")
public final class ParamsCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, description = "A Hugging Face config.json (or a folder holding one).")
    Path config;

    @Option(names = "--adapter", description = "lora, moslora, ts-mixing or dora (default: none, base only).")
    String adapter;

    @Option(names = "--rank", defaultValue = "8", description = "Adapter rank r (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--alpha", description = "lora_alpha (default: 2·rank).")
    Double alpha;

    @Option(names = "--targets", split = ",", description = "Target module names (default: q_proj,k_proj,v_proj,o_proj,"
            + "gate_proj,up_proj,down_proj; 'all-linear' for every linear layer but the head).")
    List<String> targets;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        Path file = config.toFile().isDirectory() ? config.resolve("config.json") : config;
        HfConfig cfg = HfConfigs.load(file);
        Module model = ArchitectureProvider.buildAny(cfg).orElseThrow(() -> new UserError(file
                + ": field model_type: '" + cfg.kind() + "' has no architecture in this build"));
        long base = model.parameterCount();
        long adapterParams = 0;
        if (adapter != null) {
            List<String> t = targets == null ? Arrays.asList("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
                    "up_proj", "down_proj") : targets;
            boolean allLinear = t.size() == 1 && t.get(0).equals("all-linear");
            AdapterConfig ac = new AdapterConfig(parseKind(), rank, alpha == null ? 2.0 * rank : alpha, 0,
                    allLinear ? List.of() : t, null, allLinear, List.of(), false, MixerInit.KAIMING, false,
                    List.of(), null, null);
            AdapterInjector.inject(model, ac, null);
            adapterParams = model.parameterCount() - base;
        }
        long trainable = adapter == null ? base : model.trainableParameterCount();
        var out = spec.commandLine().getOut();
        if (json) {
            out.printf("{\"base_params\":%d,\"adapter_params\":%d,\"trainable_params\":%d}%n", base, adapterParams, trainable);
        } else {
            out.printf("architecture      %s (%s)%n", cfg.kind(), file);
            out.printf("base parameters   %,d%n", base);
            out.printf("adapter params    %,d%n", adapterParams);
            out.printf("trainable params  %,d (%.4f%% of base)%n", trainable, 100.0 * trainable / base);
        }
        return 0;
    }

    private AdapterKind parseKind() {
        try {
            return AdapterKind.parse(adapter);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--adapter: " + e.getMessage());
        }
    }
}
