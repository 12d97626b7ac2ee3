package io.moslora.llava.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.cli.UserError;
import io.moslora.config.ClipConfig;
import io.moslora.config.ClipVisionConfig;
import io.moslora.config.DecoderConfig;
import io.moslora.config.HfConfig;
import io.moslora.config.HfConfigs;
import io.moslora.config.LlavaConfig;
import io.moslora.io.ShardedCheckpoint;
import io.moslora.nn.Module;
import io.moslora.nn.StateDictLoader;
import io.moslora.nn.TensorSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Builds LLaVA models from the folders users have, strictly: every parameter must be found and every tensor in
 * the files must be used (apart from the ones a layout declares unused), or the load fails naming the file.
 * <ul>
 *   <li>{@link #load}: one llava-hf folder ({@code config.json} with {@code model_type: llava} and
 *       {@code model.safetensors} or shards), either key layout of {@link CheckpointLayout#detect}.
 *   <li>{@link #loadParts}: XTuner's way — an LLM folder, a CLIP folder (full CLIP or vision-only) and the
 *       projector's safetensors (a file or a folder holding {@code model.safetensors}).
 * </ul>
 */
public final class LlavaLoader {
    private LlavaLoader() {}

    public static LlavaModel load(Path folder, NDManager m, DataType dtype) {
        LlavaConfig config = HfConfigs.load(configOf(folder), LlavaConfig.class);
        LlavaModel model = new LlavaModel(config);
        try (ShardedCheckpoint ckpt = ShardedCheckpoint.open(folder)) {
            CheckpointLayout layout = CheckpointLayout.detect(ckpt.names());
            fill(model, ckpt, m, dtype, layout.rename(model.languageModel().headName()));
        }
        return model;
    }

    public static LlavaModel loadParts(Path llmFolder, Path clipFolder, Path projector, NDManager m, DataType dtype) {
        HfConfig text = HfConfigs.load(configOf(llmFolder));
        if (!(text instanceof DecoderConfig decoder)) {
            throw new UserError(configOf(llmFolder) + ": field model_type: '" + text.kind()
                    + "' is not a language model (expected llama or internlm2)");
        }
        LlavaModel model = LlavaModel.fromParts(decoder, visionConfig(clipFolder));
        try (ShardedCheckpoint llm = ShardedCheckpoint.open(llmFolder)) {
            fill(model.languageModel(), llm, m, dtype, UnaryOperator.identity());
        }
        try (ShardedCheckpoint clip = ShardedCheckpoint.open(clipFolder)) {
            fill(model.visionTower(), clip, m, dtype, CheckpointLayout.CLIP_VISION.rename("lm_head"));
        }
        try (ShardedCheckpoint proj = ShardedCheckpoint.open(projector)) {
            fill(model.projector(), proj, m, dtype, CheckpointLayout.XTUNER_PROJECTOR.rename("lm_head"));
        }
        return model;
    }

    /** A CLIP vision tower alone, from a full CLIP or a {@code CLIPVisionModel} folder. */
    public static ClipVisionTower loadClipVision(Path folder, NDManager m, DataType dtype) {
        ClipVisionTower tower = new ClipVisionTower(visionConfig(folder));
        try (ShardedCheckpoint ckpt = ShardedCheckpoint.open(folder)) {
            fill(tower, ckpt, m, dtype, CheckpointLayout.CLIP_VISION.rename("lm_head"));
        }
        return tower;
    }

    private static ClipVisionConfig visionConfig(Path clipFolder) {
        HfConfig c = HfConfigs.load(configOf(clipFolder));
        if (c instanceof ClipConfig full) {
            return full.visionConfig();
        }
        if (c instanceof ClipVisionConfig vision) {
            return vision;
        }
        throw new UserError(configOf(clipFolder) + ": field model_type: '" + c.kind()
                + "' is not a CLIP vision tower (expected clip or clip_vision_model)");
    }

    private static void fill(Module module, ShardedCheckpoint ckpt, NDManager m, DataType dtype,
            UnaryOperator<String> rename) {
        StateDictLoader.load(module, TensorSource.of(ckpt), m, dtype, true, rename);
    }

    private static Path configOf(Path folder) {
        Path dir = Files.isDirectory(folder) ? folder : folder.getParent();
        Path config = dir == null ? Path.of("config.json") : dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new UserError(folder + ": no config.json there; point at the checkpoint folder holding config.json");
        }
        return config;
    }
}
