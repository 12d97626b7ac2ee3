package io.moslora.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * transformers' {@code CLIPConfig} ({@code model_type: clip}): a full CLIP checkpoint such as
 * openai/clip-vit-large-patch14-336, with nested {@code text_config} and {@code vision_config}.
 *
 * <p>Older files also carry {@code text_config_dict} / {@code vision_config_dict}. transformers resolves those
 * dicts with the sub-config's defaults and then overwrites every field of {@code text_config} /
 * {@code vision_config} with the result, so where a {@code *_dict} exists its values (and the defaults for what it
 * omits) win. We apply the same rule.
 */
public record ClipConfig(
        ClipTextConfig textConfig,
        ClipVisionConfig visionConfig,
        int projectionDim,
        double logitScaleInitValue,
        Map<String, JsonNode> extra) implements HfConfig {

    public static final String MODEL_TYPE = "clip";

    public static ClipConfig fromJson(JsonNode json, Path source) {
        ConfigFields f = ConfigFields.top(json, source);
        f.ignore("model_type");
        ClipTextConfig text = sub(f, "text_config", ClipTextConfig::read);
        ClipVisionConfig vision = sub(f, "vision_config", ClipVisionConfig::read);
        return new ClipConfig(text, vision,
                f.integer("projection_dim", 512),
                f.real("logit_scale_init_value", 2.6592),
                f.extra());
    }

    /** Resolves {@code name} (with {@code name + "_dict"} overriding it, as transformers does). */
    private static <T> T sub(ConfigFields f, String name, Function<ConfigFields, T> reader) {
        ConfigFields base = f.optionalObject(name);
        ConfigFields override = f.optionalObject(name + "_dict");
        if (override == null) {
            return reader.apply(base != null ? base : emptyAt(f, name));
        }
        // Which keys of the base does the sub-config own? Read it once to find out.
        ObjectNode merged = JsonNodeFactory.instance.objectNode();
        if (base != null) {
            reader.apply(base);
            base.extra().forEach(merged::set);
        }
        JsonNode dict = f.node(name + "_dict");
        dict.fields().forEachRemaining(e -> merged.set(e.getKey(), e.getValue()));
        return reader.apply(new ConfigFields(merged, f.file(), name + "."));
    }

    private static ConfigFields emptyAt(ConfigFields f, String name) {
        return new ConfigFields(JsonNodeFactory.instance.objectNode(), f.file(), name + ".");
    }

    @Override
    public String kind() {
        return MODEL_TYPE;
    }
}
