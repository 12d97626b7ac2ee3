package io.moslora.eval.model;

import io.moslora.cli.UserError;
import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * Opens a model folder as a {@link VisionLanguageModel}. Model modules (llava) register an implementation in
 * {@code META-INF/services/io.moslora.eval.model.VisionLanguageModelProvider}; {@code eval run} picks the first that
 * accepts the folder, so eval does not depend on any model module.
 */
public interface VisionLanguageModelProvider {
    /** True when this provider recognises the folder (e.g. by its config.json). */
    boolean accepts(Path modelDir);

    /** The model, with the adapter folder applied when not null. */
    VisionLanguageModel open(Path modelDir, Path adapterDir);

    /** The first provider on the class path that accepts {@code modelDir}. */
    static VisionLanguageModel load(Path modelDir, Path adapterDir) {
        if (!java.nio.file.Files.isDirectory(modelDir)) {
            throw new UserError("--model: " + modelDir + " is not a folder");
        }
        for (VisionLanguageModelProvider p : ServiceLoader.load(VisionLanguageModelProvider.class)) {
            if (p.accepts(modelDir)) {
                return p.open(modelDir, adapterDir);
            }
        }
        throw new UserError("--model: no model type on the class path can open " + modelDir
                + " (the llava module provides LLaVA models); check the folder holds the model's config.json");
    }
}
