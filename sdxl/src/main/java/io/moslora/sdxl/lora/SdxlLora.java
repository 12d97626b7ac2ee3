package io.moslora.sdxl.lora;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.LoraLinear;
import io.moslora.adapters.MixerInit;
import io.moslora.cli.UserError;
import io.moslora.config.SdxlPipelineConfig;
import io.moslora.io.SafetensorsFile;
import io.moslora.nn.LinearLayer;
import io.moslora.nn.Module;
import io.moslora.nn.Parameter;
import io.moslora.sdxl.model.SdxlModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An SDXL LoRA read from any of the layouts users have — a PEFT folder (ours: the UNet's adapter with
 * {@code text_encoder/} and {@code text_encoder_2/} subfolders), diffusers' {@code pytorch_lora_weights.safetensors},
 * or a kohya file with SGM or diffusers UNet names — as one value: per network, the adapter settings and where each
 * adapted layer's factors lie in the open file. Converting between layouts only renames: tensors are copied byte for
 * byte, so every round trip is exact.
 */
public final class SdxlLora implements AutoCloseable {
    /** One adapted linear layer's tensors by their names in the file ({@code mixer} is MoSLoRA's, else null). */
    public record Factors(String module, String a, String mixer, String b) {}

    /** One network's adapter: its settings (kind, rank, α), the file that holds it, and its layers in file order. */
    public record Component(SdxlComponent component, AdapterConfig config, SafetensorsFile file, List<Factors> layers) {
        public Component {
            layers = List.copyOf(layers);
        }

        public List<String> modules() {
            return layers.stream().map(Factors::module).toList();
        }
    }

    private final Map<SdxlComponent, Component> components;

    SdxlLora(Map<SdxlComponent, Component> components) {
        if (components.isEmpty()) throw new IllegalArgumentException("an SDXL LoRA adapts at least one network");
        this.components = Collections.unmodifiableMap(new EnumMap<>(components));
    }

    /**
     * A PEFT folder, a diffusers file or a kohya file (told apart by their keys). {@code config} gives the module
     * names a kohya file's underscored keys are matched against.
     */
    public static SdxlLora open(Path path, SdxlPipelineConfig config) {
        if (Files.isDirectory(path)) return PeftLoraFolders.read(path);
        if (!Files.isRegularFile(path)) {
            throw new UserError(path + ": --lora is neither an adapter folder nor a .safetensors file");
        }
        SafetensorsFile file = SafetensorsFile.open(path);
        try {
            return KohyaLoraFile.isKohya(file) ? KohyaLoraFile.read(file, config) : DiffusersLoraFile.read(file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    public Map<SdxlComponent, Component> components() {
        return components;
    }

    /** Injects each network's adapter (exactly the layers the file has) and gives it the file's values. */
    public void loadInto(SdxlModels models, NDManager manager) {
        for (Component c : components.values()) {
            Module root = c.component().module(models);
            Map<String, Module> modules = root.namedModules();
            for (String path : c.modules()) {
                if (!(modules.get(path) instanceof LinearLayer)) {
                    throw new UserError(c.file().path() + ": " + c.component().diffusersName() + " has no linear layer "
                            + path + (modules.containsKey(path) ? " (only linear layers take a LoRA here)" : ""));
                }
            }
            AdapterInjector.inject(root, exactly(c.config(), c.modules()), manager);
            for (Factors f : c.layers()) {
                LoraLinear layer = (LoraLinear) root.get(f.module());
                set(layer.loraA().weight(), c.file(), f.a(), manager);
                if (f.mixer() != null) set(layer.mixer().weight(), c.file(), f.mixer(), manager);
                set(layer.loraB().weight(), c.file(), f.b(), manager);
            }
        }
    }

    private static void set(Parameter p, SafetensorsFile file, String key, NDManager manager) {
        long[] shape = file.info(key).shape();
        if (!p.shape().equals(new Shape(shape))) {
            throw new UserError(file.path() + ": tensor " + key + " has shape " + Arrays.toString(shape)
                    + ", the model expects " + p.shape() + " (made for another model?)");
        }
        p.set(file.toNDArray(manager, key, p.isMaterialized() ? p.array().getDataType() : DataType.FLOAT32));
    }

    /** The same settings with the listed module paths as targets (a full path matches only itself). */
    static AdapterConfig exactly(AdapterConfig c, List<String> modules) {
        return new AdapterConfig(c.kind(), c.r(), c.alpha(), c.dropout(), modules, null, false, List.of(), c.useRslora(),
                c.mixerInit(), c.gaussianA(), List.of(), c.baseModelNameOrPath(), c.taskType());
    }

    /** Settings of a plain LoRA read from a single file: one rank and one α for the whole network. */
    static AdapterConfig plainLora(int rank, double alpha, List<String> modules) {
        return new AdapterConfig(AdapterKind.LORA, rank, alpha, 0.0, modules, null, false, List.of(), false,
                MixerInit.KAIMING, false, List.of(), null, null);
    }

    /** Refuses MoSLoRA mixers where a layout has no place for them. */
    void requirePlainLora(String layout) {
        for (Component c : components.values()) {
            for (Factors f : c.layers()) {
                if (f.mixer() != null) {
                    throw new UserError(c.file().path() + ": tensor " + f.mixer() + " is a MoSLoRA mixer, which " + layout
                            + " cannot hold; export the adapter as a plain LoRA first (the lora/ folder)");
                }
            }
        }
    }

    @Override
    public void close() {
        Set<SafetensorsFile> files = Collections.newSetFromMap(new IdentityHashMap<>());
        components.values().forEach(c -> files.add(c.file()));
        files.forEach(SafetensorsFile::close);
    }
}
