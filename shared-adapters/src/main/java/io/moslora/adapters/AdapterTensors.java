package io.moslora.adapters;

import io.moslora.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.cli.UserError;
import io.moslora.io.SafetensorsFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An adapter file read as tensors, grouped by the module each update belongs to — what file-level tools
 * (export to plain LoRA, merge into a checkpoint, inspect) need without building any model.
 */
public final class AdapterTensors implements AutoCloseable {
    /**
     * The keys of one target module's update; {@code mixer} is null but for MoSLoRA / TS-Mixing, {@code magnitude}
     * null but for DoRA.
     */
    public record Update(String modulePath, String a, String mixer, String b, String magnitude) {}

    private final AdapterConfig config;
    private final SafetensorsFile file;
    private final Map<String, Update> updates = new LinkedHashMap<>();
    private final Map<String, String> others = new LinkedHashMap<>();

    public AdapterTensors(Path dir) {
        this.config = PeftAdapters.readConfig(dir);
        this.file = SafetensorsFile.open(PeftAdapters.weightsFile(dir));
        Map<String, String[]> parts = new LinkedHashMap<>();
        for (String key : file.names()) {
            int at = key.indexOf(".lora_");
            if (at < 0) {
                others.put(key, key);
                continue;
            }
            String module = key.substring(0, at);
            String part = key.substring(at + 1);
            String[] slot = parts.computeIfAbsent(module, k -> new String[4]);
            switch (part) {
                case "lora_A.weight" -> slot[0] = key;
                case "lora_AB.weight" -> slot[1] = key;
                case "lora_B.weight" -> slot[2] = key;
                case "lora_magnitude_vector" -> slot[3] = key;
                default -> throw new UserError(file.path() + ": tensor " + key + " is not lora_A, lora_AB, lora_B or "
                        + "lora_magnitude_vector (only LoRA-family adapters are supported)");
            }
        }
        parts.forEach((module, slot) -> {
            if (slot[0] == null || slot[2] == null) {
                throw new UserError(file.path() + ": module " + module + " has " + (slot[0] == null ? "no lora_A" : "no lora_B"));
            }
            if (config.kind().hasMixer() != (slot[1] != null)) {
                throw new UserError(file.path() + ": module " + module + (slot[1] == null
                        ? " has no lora_AB mixer but adapter_config.json says lora_use_mixer: true"
                        : " has a lora_AB mixer but adapter_config.json does not set lora_use_mixer"));
            }
            if ((config.kind() == AdapterKind.DORA) != (slot[3] != null)) {
                throw new UserError(file.path() + ": module " + module + (slot[3] == null
                        ? " has no lora_magnitude_vector but adapter_config.json says use_dora: true"
                        : " has a lora_magnitude_vector but adapter_config.json does not set use_dora"));
            }
            String path = module.startsWith(PeftAdapters.PREFIX) ? module.substring(PeftAdapters.PREFIX.length()) : module;
            updates.put(path, new Update(path, slot[0], slot[1], slot[2], slot[3]));
        });
    }

    public AdapterConfig config() {
        return config;
    }

    public SafetensorsFile file() {
        return file;
    }

    /** Updates by module path (without PEFT's {@code base_model.model.} prefix). */
    public Map<String, Update> updates() {
        return updates;
    }

    /** Tensors that are not LoRA factors ({@code modules_to_save}), by key. */
    public Map<String, String> others() {
        return others;
    }

    /** {@code M·A} (A itself for plain LoRA), float32 in {@code m}. */
    public NDArray effectiveA(Update u, NDManager m) {
        NDArray a = file.toNDArray(m, u.a(), DataType.FLOAT32);
        return u.mixer() == null ? a : file.toNDArray(m, u.mixer(), DataType.FLOAT32).matMul(a);
    }

    /** The low-rank part {@code ΔW = B·M·A·scaling} as float32 {@code [out, in]} (for DoRA, before rescaling). */
    public NDArray delta(Update u, NDManager m) {
        return Scalars.mul(file.toNDArray(m, u.b(), DataType.FLOAT32).matMul(effectiveA(u, m)), config.scaling());
    }

    /**
     * The weight the adapted layer computes with, float32 in {@code m}: {@code W + ΔW}, or for DoRA
     * {@code m ⊙ (W + ΔW)/‖W + ΔW‖} row by row.
     */
    public NDArray mergedWeight(Update u, NDArray w, NDManager m) {
        NDArray delta = delta(u, m);
        return u.magnitude() == null ? w.add(delta)
                : DoraMagnitude.fold(w, delta, file.toNDArray(m, u.magnitude(), DataType.FLOAT32));
    }

    @Override
    public void close() {
        file.close();
    }
}
