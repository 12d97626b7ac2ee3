package io.moslora.llava.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.PeftAdapters;
import io.moslora.io.SafetensorsFile;
import io.moslora.llava.model.LlavaLoader;
import io.moslora.llava.model.LlavaModel;
import io.moslora.nn.StateDictLoader;
import io.moslora.nn.TensorSource;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A base LLaVA checkpoint with what {@code llava train} wrote applied: the LLM adapter, the vision adapter and the
 * trained projector (each when present), so that chat and evaluation see the fine-tuned model.
 */
public final class TrainedLlava {
    private TrainedLlava() {}

    /** True when {@code dir} looks like a {@code llava train} output (rather than a single PEFT adapter). */
    public static boolean isTrainingOutput(Path dir) {
        return Files.isDirectory(dir.resolve(LlavaTrainer.LLM_ADAPTER)) || Files.isDirectory(dir.resolve(LlavaTrainer.VISION_ADAPTER))
                || Files.isRegularFile(dir.resolve(LlavaTrainer.PROJECTOR));
    }

    /** The base with a training output applied; an NF4-trained LLM (QMoSLoRA) is quantized the same way first. */
    public static LlavaModel load(Path baseModelDir, Path trainOutput, NDManager m) {
        LlavaModel model = LlavaLoader.load(baseModelDir, m, DataType.FLOAT32);
        apply(model, trainOutput, m);
        return model;
    }

    private static boolean trainedOnNf4(Path trainOutput) {
        Path config = trainOutput.resolve(LlavaTrainer.RESOLVED_CONFIG);
        if (!Files.isRegularFile(config)) {
            return false;
        }
        try {
            return "nf4".equals(new com.fasterxml.jackson.databind.ObjectMapper().readTree(config.toFile())
                    .path("llm_quantization").asText("none"));
        } catch (java.io.IOException e) {
            throw new io.moslora.cli.UserError(config + ": not valid JSON: " + e.getMessage());
        }
    }

    /** Applies a training output to a loaded fp32 base, quantizing its LLM first if it was trained on NF4. */
    public static void apply(LlavaModel model, Path trainOutput, NDManager m) {
        if (trainedOnNf4(trainOutput)) {
            LlavaTrainer.quantizeLlm(model, m);
        }
        Path llm = trainOutput.resolve(LlavaTrainer.LLM_ADAPTER);
        if (Files.isDirectory(llm)) {
            AdapterInjector.inject(model.languageModel(), PeftAdapters.readConfig(llm), m);
            PeftAdapters.load(model.languageModel(), llm, m);
        }
        Path vision = trainOutput.resolve(LlavaTrainer.VISION_ADAPTER);
        if (Files.isDirectory(vision)) {
            AdapterInjector.inject(model.visionTower(), PeftAdapters.readConfig(vision), m);
            PeftAdapters.load(model.visionTower(), vision, m);
        }
        Path projector = trainOutput.resolve(LlavaTrainer.PROJECTOR);
        if (Files.isRegularFile(projector)) {
            try (SafetensorsFile f = SafetensorsFile.open(projector)) {
                StateDictLoader.load(model.projector(), TensorSource.of(f), m, DataType.FLOAT32, true,
                        k -> k.substring("multi_modal_projector.".length()));
            }
        }
        model.setTrainable(false);
    }
}
