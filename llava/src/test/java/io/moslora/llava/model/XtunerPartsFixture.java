package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.moslora.config.TinyConfigs;
import io.moslora.io.SafetensorsWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A tiny LLaVA written as XTuner's three parts: the LLM folder, a full CLIP checkpoint (the vision half plus
 * text-side tensors LLaVA must skip) and the projector under {@code model.0/2}; for the loader and merge tests.
 */
public final class XtunerPartsFixture {
    public record Parts(Path llm, Path clip, Path projector) {}

    private XtunerPartsFixture() {}

    /** Writes the parts of {@code llavaHf} (a llava-hf state dict of the tiny presets) under {@code dir}. */
    public static Parts write(Path dir, Map<String, NDArray> llavaHf, NDManager m) throws IOException {
        Path llm = Files.createDirectories(dir.resolve("llm"));
        copyTinyConfig("tiny-llama", llm);
        SafetensorsWriter l = new SafetensorsWriter();
        llavaHf.forEach((k, v) -> {
            if (k.startsWith("language_model.")) {
                l.add(k.substring("language_model.".length()), v);
            }
        });
        l.write(llm.resolve("model.safetensors"));

        Path clip = Files.createDirectories(dir.resolve("clip"));
        copyTinyConfig("tiny-clip-vision", clip);
        SafetensorsWriter c = new SafetensorsWriter();
        llavaHf.forEach((k, v) -> {
            if (k.startsWith("vision_tower.")) {
                c.add(k.substring("vision_tower.".length()), v);
            }
        });
        c.add("text_model.embeddings.token_embedding.weight", m.ones(new Shape(3, 4)));
        c.add("visual_projection.weight", m.ones(new Shape(2, 64)));
        c.add("logit_scale", m.ones(new Shape()));
        c.add("vision_model.embeddings.position_ids", m.arange(0L, 17L).reshape(1, 17));
        c.write(clip.resolve("model.safetensors"));

        Path projector = Files.createDirectories(dir.resolve("projector"));
        SafetensorsWriter p = new SafetensorsWriter();
        llavaHf.forEach((k, v) -> {
            if (k.startsWith("multi_modal_projector.")) {
                p.add(k.replace("multi_modal_projector.linear_1.", "model.0.")
                        .replace("multi_modal_projector.linear_2.", "model.2."), v);
            }
        });
        p.write(projector.resolve("model.safetensors"));
        return new Parts(llm, clip, projector);
    }

    /** The tiny preset {@code name} as {@code folder/config.json}. */
    public static void copyTinyConfig(String name, Path folder) throws IOException {
        try (InputStream in = TinyConfigs.class.getResourceAsStream("tiny/" + name + ".json")) {
            Files.copy(in, folder.resolve("config.json"));
        }
    }
}
