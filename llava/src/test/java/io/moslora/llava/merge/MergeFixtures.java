package io.moslora.llava.merge;

import ai.djl.ndarray.NDManager;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.PeftAdapters;
import io.moslora.config.ClipVisionConfig;
import io.moslora.config.LlamaConfig;
import io.moslora.config.TinyConfigs;
import io.moslora.engine.Seeds;
import io.moslora.io.AtomicFiles;
import io.moslora.io.SafetensorsWriter;
import io.moslora.llava.model.LlavaModel;
import io.moslora.llava.model.TinyLlava;
import io.moslora.llava.model.XtunerPartsFixture;
import io.moslora.llava.train.LlavaTrainConfig;
import io.moslora.llava.train.LlavaTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Tiny bases written under real key names (llava-hf, XTuner parts) and {@code llava train}-shaped outputs whose
 * adapters are random rather than trained, so every factor (A, mixer, B) and the projector clearly matter.
 */
final class MergeFixtures {
    private MergeFixtures() {}

    /** A random tiny LLaVA saved as a llava-hf folder, with a tokenizer and a generation config beside it. */
    static Path llavaHfBase(Path dir, long seed, NDManager m) throws IOException {
        return llavaHfBase(dir, seed, m, UnaryOperator.identity());
    }

    /** transformers ≥ 4.52's names for the same tensors. */
    static final UnaryOperator<String> NESTED = k -> k.startsWith("language_model.model.")
            ? "model.language_model." + k.substring("language_model.model.".length())
            : k.startsWith("language_model.lm_head.") ? k.substring("language_model.".length()) : "model." + k;

    /** As above with each llava-hf key written as {@code keyName} says. */
    static Path llavaHfBase(Path dir, long seed, NDManager m, UnaryOperator<String> keyName) throws IOException {
        LlavaModel model = TinyLlava.random(m, seed);
        Path folder = Files.createDirectories(dir);
        XtunerPartsFixture.copyTinyConfig("tiny-llava", folder);
        SafetensorsWriter w = new SafetensorsWriter();
        model.stateDict().forEach((k, v) -> w.add(keyName.apply(k), v));
        w.write(folder.resolve("model.safetensors"));
        Files.writeString(folder.resolve("tokenizer.json"), "{\"fixture\": \"base tokenizer\"}");
        Files.writeString(folder.resolve("generation_config.json"), "{\"max_new_tokens\": 7}");
        Files.writeString(folder.resolve("notes.txt"), "not a checkpoint file");
        return folder;
    }

    /** XTuner's three parts of a seeded tiny base, with tokenizer files where XTuner leaves them. */
    static XtunerPartsFixture.Parts xtunerBase(Path dir, long seed, NDManager m) throws IOException {
        Seeds.seed(seed);
        LlavaModel model = TinyLlava.randomize(LlavaModel.fromParts(TinyConfigs.load("tiny-llama", LlamaConfig.class),
                TinyConfigs.load("tiny-clip-vision", ClipVisionConfig.class)), m);
        XtunerPartsFixture.Parts parts = XtunerPartsFixture.write(dir, model.stateDict(), m);
        Files.writeString(parts.llm().resolve("tokenizer.json"), "{\"fixture\": \"llm tokenizer\"}");
        Files.writeString(parts.clip().resolve("tokenizer.json"), "{\"fixture\": \"clip tokenizer, must not travel\"}");
        Files.writeString(parts.clip().resolve("preprocessor_config.json"), "{\"crop_size\": 32}");
        return parts;
    }

    /** The tiny preset resolved with the given overrides and rank-4 MoSLoRA adapters on both towers. */
    static LlavaTrainConfig config(String... overrides) {
        List<String> o = new ArrayList<>(List.of("llm_adapter.r=4", "vision_adapter.r=4", "data_path=unused.json",
                "image_folder=unused"));
        o.addAll(List.of(overrides));
        return LlavaTrainConfig.preset("tiny", o);
    }

    /**
     * Writes what {@code llava train} would have written for {@code base} (the model, already loaded) under
     * {@code c}: random adapters on the LLM and vision tower, a perturbed projector, the resolved config.
     */
    static Path runOutput(Path dir, LlavaModel base, LlavaTrainConfig c, long seed, NDManager m) throws IOException {
        Files.createDirectories(dir);
        base.setTrainable(false);
        Seeds.seed(seed);
        AdapterInjector.inject(base.languageModel(), c.llmAdapter().toAdapterConfig(), m);
        AdapterInjector.inject(base.visionTower(), c.visionAdapter().toAdapterConfig(), m);
        base.namedParameters().forEach((k, p) -> {
            if (k.contains(".lora_")) {
                p.set(m.randomUniform(-0.05f, 0.05f, p.shape()));
            } else if (k.startsWith("multi_modal_projector.")) {
                p.set(p.array().add(m.randomUniform(-0.1f, 0.1f, p.shape())));
            }
        });
        PeftAdapters.save(base.languageModel(), c.llmAdapter().toAdapterConfig(), dir.resolve(LlavaTrainer.LLM_ADAPTER));
        PeftAdapters.save(base.visionTower(), c.visionAdapter().toAdapterConfig(), dir.resolve(LlavaTrainer.VISION_ADAPTER));
        SafetensorsWriter w = new SafetensorsWriter();
        base.projector().namedParameters().forEach((k, p) -> w.add("multi_modal_projector." + k, p.array()));
        w.write(dir.resolve(LlavaTrainer.PROJECTOR));
        AtomicFiles.writeString(dir.resolve(LlavaTrainer.RESOLVED_CONFIG), c.resolvedJson());
        return dir;
    }
}
