package io.moslora.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A resolved Hugging Face config file: every field the library reads, with the library's default where the file
 * leaves it out. Fields the library does not know are kept in {@link #extra()} and otherwise ignored.
 */
public sealed interface HfConfig
        permits DecoderConfig, ClipTextConfig, ClipVisionConfig, ClipConfig, LlavaConfig,
                UNet2DConditionConfig, AutoencoderKLConfig, SchedulerConfig {

    /** {@code model_type} for transformers configs, {@code _class_name} for diffusers configs. */
    String kind();

    /** Fields the binding does not interpret, as they appear in the file. */
    Map<String, JsonNode> extra();
}
