package io.moslora.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moslora.io.AtomicFiles;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a resolved config back as the JSON file the Python libraries read, with every field spelled out (so the
 * file means the same thing whatever defaults a reader has). Field names are the record components in
 * snake_case; reading the result with {@link HfConfigs} gives an equal record.
 */
public final class HfConfigJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private HfConfigJson() {}

    public static ObjectNode toJson(HfConfig config) {
        ObjectNode out = NODES.objectNode();
        if (config instanceof UNet2DConditionConfig || config instanceof AutoencoderKLConfig) {
            out.put("_class_name", config.kind());
        } else if (!(config instanceof SchedulerConfig)) {
            out.put("model_type", config.kind());
        }
        // A scheduler's null means "this class has no such option": leave it out so other classes keep their defaults.
        boolean writeNulls = !(config instanceof SchedulerConfig);
        for (RecordComponent rc : config.getClass().getRecordComponents()) {
            String name = rc.getName();
            if (name.equals("extra") || name.equals("file")) continue;
            Object value = get(rc, config);
            if (value == null && !writeNulls) continue;
            if (name.equals("architectures") && ((List<?>) value).isEmpty()) continue;
            out.set(fieldName(config, name), node(config, name, value));
        }
        config.extra().forEach((k, v) -> {
            if (!out.has(k)) out.set(k, v.deepCopy());
        });
        return out;
    }

    /** Writes {@code config} to {@code file} atomically, as indented JSON with a trailing newline. */
    public static void write(HfConfig config, Path file) {
        try {
            AtomicFiles.writeString(file, JSON.writeValueAsString(toJson(config)) + "\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of plain nodes always serialises
        }
    }

    private static String fieldName(HfConfig config, String component) {
        return switch (component) {
            case "className" -> "_class_name";
            case "eosTokenIds" -> "eos_token_id";
            case "visionFeatureLayers" -> "vision_feature_layer";
            default -> snake(component);
        };
    }

    private static JsonNode node(HfConfig owner, String component, Object value) {
        if (value instanceof List<?> list && list.size() == 1
                && (component.equals("eosTokenIds") || component.equals("visionFeatureLayers"))) {
            return node(owner, "", list.get(0)); // written as the single integer the libraries write
        }
        if (value instanceof List<?> list && list.isEmpty() && component.equals("eosTokenIds")) {
            return NODES.nullNode();
        }
        if (value == null) return NODES.nullNode();
        if (value instanceof Integer i) return NODES.numberNode(i);
        if (value instanceof Double d) return NODES.numberNode(d);
        if (value instanceof Boolean b) return NODES.booleanNode(b);
        if (value instanceof String s) return NODES.textNode(s);
        if (value instanceof JsonNode n) return n.deepCopy();
        if (value instanceof HfConfig nested) return toJson(nested);
        if (value instanceof RopeScaling r) return rope(r, owner instanceof InternLM2Config);
        if (value instanceof List<?> list) {
            ArrayNode array = NODES.arrayNode();
            for (Object item : list) array.add(node(owner, "", item));
            return array;
        }
        throw new IllegalArgumentException("cannot write " + value.getClass());
    }

    /** InternLM2's own code reads {@code type}; transformers reads either, and writes {@code rope_type}. */
    private static ObjectNode rope(RopeScaling r, boolean legacyTypeKey) {
        ObjectNode out = NODES.objectNode();
        out.put(legacyTypeKey ? "type" : "rope_type", r.ropeType());
        if (r.factor() != null) out.put("factor", r.factor());
        if (r.originalMaxPositionEmbeddings() != null) {
            out.put("original_max_position_embeddings", r.originalMaxPositionEmbeddings());
        }
        if (r.lowFreqFactor() != null) out.put("low_freq_factor", r.lowFreqFactor());
        if (r.highFreqFactor() != null) out.put("high_freq_factor", r.highFreqFactor());
        for (Map.Entry<String, JsonNode> e : r.extra().entrySet()) out.set(e.getKey(), e.getValue().deepCopy());
        return out;
    }

    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private static Object get(RecordComponent rc, Object record) {
        try {
            return rc.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
