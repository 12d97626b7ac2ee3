package io.moslora.llava.merge;

import io.moslora.adapters.AdapterTensors;
import io.moslora.adapters.PeftAdapters;
import io.moslora.cli.UserError;
import io.moslora.io.SafetensorsFile;
import io.moslora.llava.train.LlavaTrainConfig;
import io.moslora.llava.train.LlavaTrainer;
import io.moslora.llava.train.TrainedLlava;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a merge adds to the base, keyed by llava-hf names: the adapters of a {@code llava train} output (its LLM
 * adapter under {@code language_model.}, its vision adapter under {@code vision_tower.}), its trained projector,
 * and whether its LLM was trained over NF4 weights (QMoSLoRA) — or a single PEFT adapter folder, placed where its
 * keys say it was made (the whole model, or the LLM alone as XTuner saves it).
 */
final class MergeDelta implements AutoCloseable {
    /** One adapter file and the llava-hf prefix of the module paths it names. */
    record PlacedAdapter(AdapterTensors tensors, String prefix, Path dir) {}

    /** One target module's update, found by the llava-hf key of the weight it changes. */
    record Target(PlacedAdapter adapter, AdapterTensors.Update update) {}

    private final List<PlacedAdapter> adapters;
    private final SafetensorsFile projector;
    private final LlavaTrainConfig runConfig;
    private final Path runDir;

    private MergeDelta(List<PlacedAdapter> adapters, SafetensorsFile projector, LlavaTrainConfig runConfig, Path runDir) {
        this.adapters = adapters;
        this.projector = projector;
        this.runConfig = runConfig;
        this.runDir = runDir;
    }

    /** A {@code llava train} output folder, or a PEFT adapter folder ({@code adapter_config.json}). */
    static MergeDelta open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new UserError(dir + ": adapter folder not found (--adapter)");
        }
        if (Files.isRegularFile(dir.resolve(PeftAdapters.CONFIG_FILE))) {
            return singleAdapter(dir);
        }
        if (Files.isDirectory(dir.resolve(LlavaTrainer.MODEL)) && !TrainedLlava.isTrainingOutput(dir)) {
            throw new UserError(dir + ": this run trained every weight (train_base); " + dir.resolve(LlavaTrainer.MODEL)
                    + " is already a full llava-hf checkpoint, nothing to merge");
        }
        if (!TrainedLlava.isTrainingOutput(dir)) {
            throw new UserError(dir + ": neither a llava train output (llm_adapter/, vision_adapter/, "
                    + LlavaTrainer.PROJECTOR + ") nor a PEFT adapter (" + PeftAdapters.CONFIG_FILE + ")");
        }
        Path configFile = dir.resolve(LlavaTrainer.RESOLVED_CONFIG);
        if (!Files.isRegularFile(configFile)) {
            throw new UserError(configFile + ": missing; a llava train output records its resolved config there "
                    + "(it says whether the LLM was NF4 and which base was used)");
        }
        LlavaTrainConfig config = LlavaTrainConfig.load(configFile, List.of());
        Path projectorFile = dir.resolve(LlavaTrainer.PROJECTOR);
        if (!Files.isRegularFile(projectorFile)) {
            throw new UserError(projectorFile + ": projector file missing; llava train writes it with the adapters "
                    + "(was the run finished?)");
        }
        List<PlacedAdapter> placed = new ArrayList<>();
        try {
            addIfPresent(placed, dir.resolve(LlavaTrainer.LLM_ADAPTER), "language_model.");
            addIfPresent(placed, dir.resolve(LlavaTrainer.VISION_ADAPTER), "vision_tower.");
            return new MergeDelta(placed, SafetensorsFile.open(projectorFile), config, dir);
        } catch (RuntimeException e) {
            placed.forEach(p -> p.tensors().close());
            throw e;
        }
    }

    private static void addIfPresent(List<PlacedAdapter> placed, Path dir, String prefix) {
        if (Files.isDirectory(dir)) {
            placed.add(new PlacedAdapter(new AdapterTensors(dir), prefix, dir));
        }
    }

    private static MergeDelta singleAdapter(Path dir) {
        AdapterTensors t = new AdapterTensors(dir);
        boolean wholeModel = t.updates().keySet().stream().anyMatch(k -> k.startsWith("language_model.")
                || k.startsWith("vision_tower.") || k.startsWith("multi_modal_projector."));
        return new MergeDelta(List.of(new PlacedAdapter(t, wholeModel ? "" : "language_model.", dir)), null, null, null);
    }

    /** Every update by the llava-hf key of the weight it changes ({@code <module>.weight}). */
    Map<String, Target> targetsByWeight() {
        Map<String, Target> out = new LinkedHashMap<>();
        for (PlacedAdapter a : adapters) {
            a.tensors().updates().forEach((module, u) -> out.put(a.prefix() + module + ".weight", new Target(a, u)));
        }
        return out;
    }

    /** The trained projector (llava-hf keys), or null when the delta is a single adapter. */
    SafetensorsFile projector() {
        return projector;
    }

    /** True when the LLM was trained over NF4 weights: its adapters learned corrections to the dequantized base. */
    boolean llmTrainedOnNf4() {
        return runConfig != null && "nf4".equals(runConfig.llmQuantization());
    }

    /** The run's resolved config, or null for a single adapter. */
    LlavaTrainConfig runConfig() {
        return runConfig;
    }

    /** The run's folder (its tokenizer and train_config.json travel into the merged folder), or null. */
    Path runDir() {
        return runDir;
    }

    @Override
    public void close() {
        adapters.forEach(a -> a.tensors().close());
        if (projector != null) {
            projector.close();
        }
    }
}
