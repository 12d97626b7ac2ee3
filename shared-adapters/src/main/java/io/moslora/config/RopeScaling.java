package io.moslora.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * The {@code rope_scaling} block of a decoder config. Older files (and InternLM2) name the kind {@code type},
 * newer ones {@code rope_type}; transformers treats them as the same field, so do we.
 *
 * @param ropeType "linear", "dynamic", "llama3", "yarn", ...
 * @param factor the scaling factor, or null when the file gives none
 * @param originalMaxPositionEmbeddings llama3/yarn: the context length the model was trained with, or null
 * @param lowFreqFactor llama3 only, or null
 * @param highFreqFactor llama3 only, or null
 * @param extra any other parameters of the block
 */
public record RopeScaling(
        String ropeType,
        Double factor,
        Integer originalMaxPositionEmbeddings,
        Double lowFreqFactor,
        Double highFreqFactor,
        Map<String, JsonNode> extra) {

    /** Reads the block at {@code fields}; {@code null} fields means the file has no scaling. */
    static RopeScaling read(ConfigFields fields) {
        if (fields == null) return null;
        String type = fields.optionalString("rope_type", null);
        String legacyType = fields.optionalString("type", null);
        if (type == null) type = legacyType;
        if (type == null) throw fields.error("rope_type", "missing; rope_scaling needs a rope_type (or type)");
        return new RopeScaling(
                type,
                fields.optionalReal("factor", null),
                fields.optionalInteger("original_max_position_embeddings", null),
                fields.optionalReal("low_freq_factor", null),
                fields.optionalReal("high_freq_factor", null),
                fields.extra());
    }
}
