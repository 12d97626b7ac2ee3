package io.moslora.sdxl.single;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.cli.UserError;
import io.moslora.config.AutoencoderKLConfig;
import io.moslora.config.ClipTextConfig;
import io.moslora.config.HfConfig;
import io.moslora.config.HfConfigJson;
import io.moslora.config.SchedulerConfig;
import io.moslora.config.SdxlPipelineConfig;
import io.moslora.config.UNet2DConditionConfig;
import io.moslora.io.DType;
import io.moslora.io.NDArrayBridge;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SafetensorsWriter;
import io.moslora.nn.Parameter;
import io.moslora.nn.StateDictLoader;
import io.moslora.sdxl.model.SdxlModels;
import io.moslora.sdxl.scheduler.SdxlSchedulerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * A whole SDXL pipeline in one safetensors file, laid out as Stability's {@code sd_xl_base_1.0.safetensors}
 * ({@link SingleFileLayout}). Such files carry no configs: SDXL base 1.0's are used (shipped as resources) unless the
 * file's {@code __metadata__} holds ours — {@link #write} stores them there, so tiny pipelines round-trip too.
 */
public final class SdxlSingleFile {
    static final String UNET_CONFIG = "moslora.unet_config";
    static final String VAE_CONFIG = "moslora.vae_config";
    static final String TEXT_ENCODER_CONFIG = "moslora.text_encoder_config";
    static final String TEXT_ENCODER_2_CONFIG = "moslora.text_encoder_2_config";
    static final String SCHEDULER_CONFIG = "moslora.scheduler_config";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SdxlSingleFile() {}

    /** Whether {@code --model} names a single file rather than a diffusers folder. */
    public static boolean isSingleFile(Path model) {
        return model.getFileName() != null && model.getFileName().toString().endsWith(".safetensors")
                && !java.nio.file.Files.isDirectory(model);
    }

    /** Loads all four networks from a single-file checkpoint into {@code manager} as {@code dtype}; strict both ways. */
    public static SdxlModels load(Path path, NDManager manager, DataType dtype) {
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            SdxlModels models = SdxlModels.build(config(file));
            SingleFileLayout layout = SingleFileLayout.of(models);
            checkKeys(file, layout);
            for (SingleFileLayout.Part part : layout.parts()) {
                StateDictLoader.load(layout.module(part), new SingleFileTensors(file, layout.keys(part)), manager, dtype, true);
            }
            return models;
        }
    }

    /** Every key the layout wants is in the file, and every key of the file is wanted (or a known buffer). */
    private static void checkKeys(SafetensorsFile file, SingleFileLayout layout) {
        Set<String> wanted = new java.util.HashSet<>();
        for (SingleFileLayout.Part part : layout.parts()) {
            layout.keys(part).forEach((name, key) -> {
                wanted.add(key.key());
                if (!file.contains(key.key())) {
                    throw new UserError(file.path() + ": no tensor " + key.key() + " (the " + part.label() + "'s " + name
                            + "); is this a single-file SDXL checkpoint" + (usesOwnConfig(file) ? "" : " of SDXL base 1.0's shape") + "?");
                }
            });
        }
        for (String key : file.names()) {
            if (wanted.contains(key)) continue;
            var part = SingleFileLayout.partOf(key);
            if (part.isPresent() && part.get().ignores(key)) continue;
            throw new UserError(file.path() + ": unexpected tensor " + key + (part.isEmpty()
                    ? " (not under model.diffusion_model., first_stage_model. or conditioner.embedders.0/1.)"
                    : " in the " + part.get().label() + " (no parameter of the SDXL " + part.get().label() + " has this name)"));
        }
    }

    /** Writes {@code models} as one single-file checkpoint, each tensor in its parameter's dtype, configs in metadata. */
    public static void write(SdxlModels models, Path out, SafetensorsWriter.Progress progress) {
        SafetensorsWriter w = new SafetensorsWriter();
        SdxlPipelineConfig c = models.config();
        w.putMetadata(UNET_CONFIG, json(c.unet()));
        w.putMetadata(VAE_CONFIG, json(c.vae()));
        w.putMetadata(TEXT_ENCODER_CONFIG, json(c.textEncoder()));
        w.putMetadata(TEXT_ENCODER_2_CONFIG, json(c.textEncoder2()));
        w.putMetadata(SCHEDULER_CONFIG, json(c.scheduler()));
        SingleFileLayout layout = SingleFileLayout.of(models);
        for (SingleFileLayout.Part part : layout.parts()) {
            Map<String, Parameter> params = layout.module(part).namedParameters();
            Map<String, float[][]> inProj = new LinkedHashMap<>(); // packed key → q, k, v rows, written once complete
            Map<String, long[]> inProjShape = new HashMap<>();
            Map<String, DType> inProjType = new HashMap<>();
            layout.keys(part).forEach((name, key) -> {
                NDArray a = params.get(name).array();
                long[] shape = a.getShape().getShape();
                long[] stored = key.storedAs().storedShape(shape);
                DType type = NDArrayBridge.dtypeOf(a.getDataType());
                switch (key.storedAs()) {
                    case SAME -> w.add(key.key(), a);
                    case CONV_1X1 -> w.addFloats(key.key(), stored, floats(a), type);
                    case TRANSPOSED -> w.addFloats(key.key(), stored,
                            SingleFileTensors.transpose(floats(a), (int) shape[0], (int) shape[1]), type);
                    case IN_PROJ_Q, IN_PROJ_K, IN_PROJ_V -> {
                        inProj.computeIfAbsent(key.key(), k -> new float[3][])[key.storedAs().inProjPart()] = floats(a);
                        inProjShape.put(key.key(), stored);
                        inProjType.put(key.key(), type);
                    }
                }
            });
            inProj.forEach((key, qkv) -> w.addFloats(key, inProjShape.get(key), concat(qkv), inProjType.get(key)));
        }
        w.write(out, progress);
    }

    /** The values as floats, whatever the array's float type (DJL's toFloatArray wants FLOAT32). */
    private static float[] floats(NDArray a) {
        if (a.getDataType() == DataType.FLOAT32) return a.toFloatArray();
        try (NDArray wide = a.toType(DataType.FLOAT32, true)) {
            return wide.toFloatArray();
        }
    }

    private static float[] concat(float[][] parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] all = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    private static String json(HfConfig config) {
        return HfConfigJson.toJson(config).toString();
    }

    private static boolean usesOwnConfig(SafetensorsFile file) {
        return file.metadata().containsKey(UNET_CONFIG);
    }

    /** The configs stored in the file's metadata by {@link #write}, else SDXL base 1.0's. */
    static SdxlPipelineConfig config(SafetensorsFile file) {
        Map<String, String> meta = file.metadata();
        if (!usesOwnConfig(file)) return baseConfig();
        return new SdxlPipelineConfig(
                fromMetadata(file, UNET_CONFIG, UNet2DConditionConfig::fromJson),
                fromMetadata(file, VAE_CONFIG, AutoencoderKLConfig::fromJson),
                fromMetadata(file, TEXT_ENCODER_CONFIG, ClipTextConfig::fromJson),
                fromMetadata(file, TEXT_ENCODER_2_CONFIG, ClipTextConfig::fromJson),
                meta.containsKey(SCHEDULER_CONFIG) ? fromMetadata(file, SCHEDULER_CONFIG, SchedulerConfig::fromJson)
                        : SdxlSchedulerConfig.base());
    }

    private static <T> T fromMetadata(SafetensorsFile file, String key, BiFunction<JsonNode, Path, T> parse) {
        String text = file.metadata().get(key);
        Path source = Path.of(file.path() + "#" + key);
        if (text == null) throw new UserError(source + ": missing from the file's metadata (the other configs are there)");
        try {
            return parse.apply(JSON.readTree(text), source);
        } catch (IOException e) {
            throw new UserError(source + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** SDXL base 1.0's component configs (stabilityai/stable-diffusion-xl-base-1.0), shipped as resources. */
    public static SdxlPipelineConfig baseConfig() {
        return new SdxlPipelineConfig(
                resource("unet", UNet2DConditionConfig::fromJson), resource("vae", AutoencoderKLConfig::fromJson),
                resource("text_encoder", ClipTextConfig::fromJson), resource("text_encoder_2", ClipTextConfig::fromJson),
                SdxlSchedulerConfig.base());
    }

    private static <T> T resource(String name, BiFunction<JsonNode, Path, T> parse) {
        String resource = "sdxl-base-1.0/" + name + ".json";
        Path source = Path.of("io/moslora/sdxl/single/" + resource);
        try (InputStream in = SdxlSingleFile.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + source);
            return parse.apply(JSON.readTree(in), source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
