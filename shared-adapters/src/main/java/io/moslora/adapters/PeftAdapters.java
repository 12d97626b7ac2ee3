package io.moslora.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.moslora.cli.UserError;
import io.moslora.io.AtomicFiles;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SafetensorsWriter;
import io.moslora.nn.Module;
import io.moslora.nn.Parameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adapters on disk in PEFT's layout: {@code adapter_config.json} + {@code adapter_model.safetensors} with keys
 * {@code base_model.model.<module path>.lora_A.weight} / {@code .lora_AB.weight} (the mixer, named as the official
 * MoSLoRA code names it) / {@code .lora_B.weight}, DoRA's {@code .lora_magnitude_vector} (PEFT's key, with no
 * {@code .weight}), and {@code modules_to_save} parameters under their own keys.
 */
public final class PeftAdapters {
    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    public static final String PREFIX = "base_model.model.";
    /** PEFT saves DoRA's magnitude under this suffix, without the {@code .weight} its module tree has. */
    public static final String MAGNITUDE_SUFFIX = ".lora_magnitude_vector";

    private PeftAdapters() {}

    /** Writes the adapter of {@code model} (every {@link LoraLinear} in it) to {@code dir}, each file atomically. */
    public static void save(Module model, AdapterConfig config, Path dir) {
        SafetensorsWriter w = new SafetensorsWriter();
        adapterState(model, config).forEach(w::add);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserError("cannot create " + dir + ": " + e.getMessage());
        }
        w.write(dir.resolve(WEIGHTS_FILE));
        writeConfig(config, dir);
    }

    public static void writeConfig(AdapterConfig config, Path dir) {
        try {
            String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(config.toJson());
            AtomicFiles.writeString(dir.resolve(CONFIG_FILE), json + "\n");
        } catch (IOException e) {
            throw new UserError("cannot write " + dir.resolve(CONFIG_FILE) + ": " + e.getMessage());
        }
    }

    /** The tensors an adapter file holds for {@code model}, by PEFT key. */
    public static Map<String, NDArray> adapterState(Module model, AdapterConfig config) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        adapterParameters(model).forEach((key, p) -> out.put(key, p.array()));
        for (String target : config.modulesToSave()) {
            model.namedParameters().forEach((key, p) -> {
                if (key.startsWith(target + ".") || key.contains("." + target + ".")) {
                    out.put(PREFIX + key, p.array());
                }
            });
        }
        return out;
    }

    /** Every adapter parameter of {@code model} by its key in PEFT's file. */
    private static Map<String, Parameter> adapterParameters(Module model) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        model.namedModules().forEach((path, m) -> {
            if (m instanceof LoraLinear lora) {
                out.put(PREFIX + path + ".lora_A.weight", lora.loraA().weight());
                if (lora.mixer() != null) {
                    out.put(PREFIX + path + ".lora_AB.weight", lora.mixer().weight());
                }
                out.put(PREFIX + path + ".lora_B.weight", lora.loraB().weight());
                if (lora.magnitude() != null) {
                    out.put(PREFIX + path + MAGNITUDE_SUFFIX, lora.magnitude().weight());
                }
            }
        });
        return out;
    }

    public static AdapterConfig readConfig(Path dir) {
        Path file = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(file)) {
            throw new UserError(dir + ": no " + CONFIG_FILE + " (is this a PEFT adapter folder?)");
        }
        try {
            JsonNode json = new ObjectMapper().readTree(file.toFile());
            return AdapterConfig.fromJson(json, file);
        } catch (IOException e) {
            throw new UserError(file + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    public static Path weightsFile(Path dir) {
        Path file = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(file)) {
            if (Files.isRegularFile(dir.resolve("adapter_model.bin"))) {
                throw new UserError(dir.resolve("adapter_model.bin") + ": pickled PyTorch files are not read (they can run "
                        + "code); convert it with PEFT's save_pretrained(safe_serialization=True)");
            }
            throw new UserError(dir + ": no " + WEIGHTS_FILE);
        }
        return file;
    }

    /**
     * Loads saved adapter weights into a model that already has adapters injected with the same config.
     * Every adapter parameter of the model must be in the file, and every tensor in the file must be used.
     */
    public static void load(Module model, Path dir, NDManager manager) {
        AdapterConfig config = readConfig(dir);
        Map<String, Parameter> params = adapterParameters(model);
        Map<String, Parameter> all = model.namedParameters();
        try (SafetensorsFile file = SafetensorsFile.open(weightsFile(dir))) {
            for (String key : file.names()) {
                Parameter p = params.remove(key);
                if (p == null && key.startsWith(PREFIX) && !config.modulesToSave().isEmpty()) {
                    p = all.get(key.substring(PREFIX.length()));
                }
                if (p == null) {
                    throw new UserError(file.path() + ": tensor " + key + " matches no adapter in the model "
                            + "(was the adapter made for another model or other targets?)");
                }
                long[] shape = file.info(key).shape();
                if (!p.shape().equals(new ai.djl.ndarray.types.Shape(shape))) {
                    throw new UserError(file.path() + ": tensor " + key + " has shape "
                            + java.util.Arrays.toString(shape) + ", the model expects " + p.shape());
                }
                p.set(file.toNDArray(manager, key, p.isMaterialized() ? p.array().getDataType()
                        : ai.djl.ndarray.types.DataType.FLOAT32));
            }
        }
        if (!params.isEmpty()) {
            throw new UserError(weightsFile(dir) + ": missing " + params.size() + " adapter tensors, e.g. "
                    + params.keySet().iterator().next());
        }
    }
}
