package io.moslora.sdxl.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.cli.UserError;
import io.moslora.config.SdxlPipelineConfig;
import io.moslora.io.SafetensorsWriter;
import io.moslora.io.ShardedCheckpoint;
import io.moslora.nn.Module;
import io.moslora.nn.StateDictLoader;
import io.moslora.nn.TensorSource;
import io.moslora.sdxl.single.SdxlSingleFile;
import io.moslora.sdxl.tokenizer.ClipTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The four networks of an SDXL pipeline with their tokenizers and configs, loaded from (or saved as) a diffusers
 * folder: {@code unet/diffusion_pytorch_model.safetensors}, {@code vae/diffusion_pytorch_model.safetensors},
 * {@code text_encoder/model.safetensors}, {@code text_encoder_2/model.safetensors}, each next to its
 * {@code config.json}; {@code tokenizer/} and {@code tokenizer_2/} ({@code vocab.json} + {@code merges.txt}) when
 * present, else CLIP's BPE from the shared data with SDXL's two pad rules. Loads are strict: every weight the
 * config implies must be in the file, and nothing else.
 */
public record SdxlModels(SdxlPipelineConfig config, UNet2DConditionModel unet, AutoencoderKL vae,
        SdxlTextEncoders text) {

    public static final String DIFFUSERS_WEIGHTS = "diffusion_pytorch_model.safetensors";
    public static final String TRANSFORMERS_WEIGHTS = "model.safetensors";

    /** Shape-only modules for a config (nothing allocated); tokenizers from the shared CLIP BPE. */
    public static SdxlModels build(SdxlPipelineConfig config, ClipTokenizer tokenizer1, ClipTokenizer tokenizer2) {
        return new SdxlModels(config, new UNet2DConditionModel(config.unet()), new AutoencoderKL(config.vae()),
                new SdxlTextEncoders(new ClipTextModel(config.textEncoder()), tokenizer1,
                        new ClipTextModel(config.textEncoder2()), tokenizer2));
    }

    /** Shape-only modules for a config, with SDXL's two tokenizers over the shared CLIP BPE. */
    public static SdxlModels build(SdxlPipelineConfig config) {
        return build(config, SharedTokenizers.FIRST.get(), SharedTokenizers.SECOND.get());
    }

    /** Loads every component of a diffusers SDXL folder into {@code manager} as {@code dtype}. */
    public static SdxlModels load(Path dir, NDManager manager, DataType dtype) {
        return load(dir, manager, dtype, UNetQuantization.NONE);
    }

    /** As {@link #load(Path, NDManager, DataType)}, the UNet's Linears quantized as they stream in. */
    public static SdxlModels load(Path dir, NDManager manager, DataType dtype, UNetQuantization unetQuantization) {
        SdxlPipelineConfig config = SdxlPipelineConfig.load(dir);
        SdxlModels models = build(config, tokenizer(dir.resolve("tokenizer"), false), tokenizer(dir.resolve("tokenizer_2"), true));
        unetQuantization.load(models.unet, weights(dir.resolve("unet"), DIFFUSERS_WEIGHTS), manager, dtype);
        loadInto(models.vae, weights(dir.resolve("vae"), DIFFUSERS_WEIGHTS), manager, dtype);
        loadInto(models.text.encoder1(), weights(dir.resolve("text_encoder"), TRANSFORMERS_WEIGHTS), manager, dtype);
        loadInto(models.text.encoder2(), weights(dir.resolve("text_encoder_2"), TRANSFORMERS_WEIGHTS), manager, dtype);
        return models;
    }

    /** Writes configs and weights in the diffusers layout (tokenizer folders are not written). */
    public void save(Path dir) {
        config.write(dir);
        write(unet, dir.resolve("unet").resolve(DIFFUSERS_WEIGHTS));
        write(vae, dir.resolve("vae").resolve(DIFFUSERS_WEIGHTS));
        write(text.encoder1(), dir.resolve("text_encoder").resolve(TRANSFORMERS_WEIGHTS));
        write(text.encoder2(), dir.resolve("text_encoder_2").resolve(TRANSFORMERS_WEIGHTS));
    }

    /** The name {@code --model} takes for the embedded tiny SDXL. */
    public static final String TINY = "tiny";

    /**
     * The embedded tiny SDXL ({@link SdxlPipelineConfig#tiny()}) with weights drawn from {@code seed}: the same seed
     * gives the same model, so a tiny DreamBooth run and a later generation agree on the base weights.
     */
    public static SdxlModels tiny(long seed, NDManager manager) {
        io.moslora.engine.Seeds.seed(seed);
        SdxlModels models = build(SdxlPipelineConfig.tiny());
        models.materialize(manager, DataType.FLOAT32);
        return models;
    }

    /** {@code --model}: {@value #TINY}, a single-file SDXL checkpoint ({@code *.safetensors}) or a diffusers SDXL folder. */
    public static SdxlModels open(String model, NDManager manager) {
        return open(model, manager, UNetQuantization.NONE);
    }

    /**
     * {@code --model} with {@code --quantize}: the tiny UNet is quantized once drawn, a folder's as it loads, a single
     * file's after it loaded (the dense UNet is in memory for that moment).
     */
    public static SdxlModels open(String model, NDManager manager, UNetQuantization unetQuantization) {
        if (!model.equals(TINY) && !SdxlSingleFile.isSingleFile(Path.of(model))) {
            return load(Path.of(model), manager, DataType.FLOAT32, unetQuantization);
        }
        SdxlModels models = model.equals(TINY) ? tiny(0, manager)
                : SdxlSingleFile.load(Path.of(model), manager, DataType.FLOAT32);
        unetQuantization.apply(models.unet, manager);
        return models;
    }

    /** Every parameter of the four networks gets values from the engine's (seeded) generator. */
    public void materialize(NDManager manager, DataType dtype) {
        unet.materialize(manager, dtype);
        vae.materialize(manager, dtype);
        text.encoder1().materialize(manager, dtype);
        text.encoder2().materialize(manager, dtype);
    }

    private static void write(Module module, Path file) {
        SafetensorsWriter w = new SafetensorsWriter();
        module.stateDict().forEach(w::add);
        w.write(file);
    }

    static void loadInto(Module module, Path file, NDManager manager, DataType dtype) {
        try (ShardedCheckpoint reader = ShardedCheckpoint.open(file)) {
            StateDictLoader.load(module, TensorSource.of(reader), manager, dtype, true,
                    key -> ClipTextModel.isBufferKey(key) ? null : key);
        }
    }

    /** The single weights file, or its sharded index ({@code NAME.index.json}). */
    private static Path weights(Path componentDir, String name) {
        Path single = componentDir.resolve(name);
        Path index = componentDir.resolve(name.replace(".safetensors", ".safetensors.index.json"));
        if (Files.isRegularFile(single)) return single;
        if (Files.isRegularFile(index)) return index;
        throw new UserError(single + ": no such file (nor " + index.getFileName() + "); the diffusers folder lacks this "
                + "component's weights");
    }

    /** SDXL's two tokenizers over the shared CLIP BPE, read once per process (parsing the merges is slow; they are immutable). */
    private enum SharedTokenizers {
        FIRST, SECOND;

        private volatile ClipTokenizer tokenizer;

        ClipTokenizer get() {
            ClipTokenizer t = tokenizer;
            if (t == null) {
                synchronized (this) {
                    if (tokenizer == null) {
                        tokenizer = this == FIRST ? ClipTokenizer.sdxlTokenizer() : ClipTokenizer.sdxlTokenizer2();
                    }
                    t = tokenizer;
                }
            }
            return t;
        }
    }

    private static ClipTokenizer tokenizer(Path dir, boolean second) {
        if (Files.isRegularFile(dir.resolve("vocab.json")) && Files.isRegularFile(dir.resolve("merges.txt"))) {
            return ClipTokenizer.fromHfFolder(dir);
        }
        return (second ? SharedTokenizers.SECOND : SharedTokenizers.FIRST).get();
    }
}
