package io.moslora.sdxl.lora;

import io.moslora.cli.UserError;
import io.moslora.io.SafetensorsFile;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects a single-file LoRA's tensors (diffusers or kohya) layer by layer, then checks that every layer has both
 * factors and that each network has one rank and one α — the PEFT settings a file becomes need exactly one of each.
 * A layer without a stored α gets α = rank, as diffusers and kohya assume.
 */
final class SingleFileLayers {
    private static final class Layer {
        String a;
        String b;
        String alpha;
    }

    private final SafetensorsFile file;
    private final Map<SdxlComponent, Map<String, Layer>> layers = new EnumMap<>(SdxlComponent.class);

    SingleFileLayers(SafetensorsFile file) {
        this.file = file;
    }

    void down(SdxlComponent c, String module, String key) {
        layer(c, module, key).a = key;
    }

    void up(SdxlComponent c, String module, String key) {
        layer(c, module, key).b = key;
    }

    void alpha(SdxlComponent c, String module, String key) {
        layer(c, module, key).alpha = key;
    }

    private Layer layer(SdxlComponent c, String module, String key) {
        if (module.isEmpty()) throw new UserError(file.path() + ": tensor " + key + " names no module");
        return layers.computeIfAbsent(c, k -> new LinkedHashMap<>()).computeIfAbsent(module, k -> new Layer());
    }

    SdxlLora finish() {
        if (layers.isEmpty()) throw new UserError(file.path() + ": no LoRA tensors in the file");
        Map<SdxlComponent, SdxlLora.Component> out = new EnumMap<>(SdxlComponent.class);
        layers.forEach((component, byModule) -> {
            Integer rank = null;
            Double alpha = null;
            List<SdxlLora.Factors> factors = new ArrayList<>();
            for (Map.Entry<String, Layer> e : byModule.entrySet()) {
                Layer l = e.getValue();
                if (l.a == null || l.b == null) {
                    throw new UserError(file.path() + ": " + component.diffusersName() + " layer " + e.getKey() + " has "
                            + (l.a == null ? "no down (A)" : "no up (B)") + " tensor");
                }
                long[] shape = file.info(l.a).shape();
                if (shape.length != 2) {
                    throw new UserError(file.path() + ": tensor " + l.a + " is not a matrix (conv LoRAs are not supported)");
                }
                int r = (int) shape[0];
                double a = l.alpha == null ? r : file.readFloats(l.alpha)[0];
                if (rank == null) {
                    rank = r;
                    alpha = a;
                } else if (rank != r || alpha != a) {
                    throw new UserError(file.path() + ": " + component.diffusersName() + " layer " + e.getKey() + " has rank "
                            + r + " and alpha " + a + ", earlier layers " + rank + " and " + alpha
                            + "; one rank and one alpha per network are supported");
                }
                factors.add(new SdxlLora.Factors(e.getKey(), l.a, null, l.b));
            }
            List<String> modules = factors.stream().map(SdxlLora.Factors::module).toList();
            out.put(component, new SdxlLora.Component(component, SdxlLora.plainLora(rank, alpha, modules), file, factors));
        });
        return new SdxlLora(out);
    }
}
