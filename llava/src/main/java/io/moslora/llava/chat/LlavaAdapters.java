package io.moslora.llava.chat;

import ai.djl.ndarray.NDManager;
import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.PeftAdapters;
import io.moslora.io.SafetensorsFile;
import io.moslora.llava.model.LlavaModel;
import io.moslora.nn.Module;
import java.nio.file.Path;

/**
 * Puts a saved PEFT adapter (LoRA or MoSLoRA) onto a LLaVA model. An adapter made on the whole LLaVA model names
 * its modules {@code language_model.…} / {@code vision_tower.…}; one made on the LLM alone (XTuner's LLM adapter)
 * names them {@code model.layers.…}. The keys tell which, so both attach where they were trained.
 */
public final class LlavaAdapters {
    private LlavaAdapters() {}

    /** Injects the adapter's layers into the right part of {@code model} and loads its weights; returns that part. */
    public static Module attach(LlavaModel model, Path adapterDir, NDManager manager) {
        AdapterConfig config = PeftAdapters.readConfig(adapterDir);
        Module root = madeOnWholeModel(adapterDir) ? model : model.languageModel();
        AdapterInjector.inject(root, config, manager);
        PeftAdapters.load(root, adapterDir, manager);
        return root;
    }

    private static boolean madeOnWholeModel(Path adapterDir) {
        try (SafetensorsFile f = SafetensorsFile.open(PeftAdapters.weightsFile(adapterDir))) {
            return f.names().stream().anyMatch(k -> k.startsWith(PeftAdapters.PREFIX + "language_model.")
                    || k.startsWith(PeftAdapters.PREFIX + "vision_tower.")
                    || k.startsWith(PeftAdapters.PREFIX + "multi_modal_projector."));
        }
    }
}
