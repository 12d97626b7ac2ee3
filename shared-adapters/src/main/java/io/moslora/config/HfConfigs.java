package io.moslora.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.moslora.cli.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a Hugging Face {@code config.json} (transformers) or a diffusers component config and resolves it into the
 * matching record: transformers configs by {@code model_type}, diffusers configs by {@code _class_name}.
 */
public final class HfConfigs {
    /** Python's json module reads NaN and Infinity, so configs may contain them. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private HfConfigs() {}

    /** Reads and resolves {@code file}; every problem is a one-line {@link UserError} naming the file. */
    public static HfConfig load(Path file) {
        return parse(readJson(file), file);
    }

    /** Reads {@code file} and requires it to be a {@code type} config. */
    public static <T extends HfConfig> T load(Path file, Class<T> type) {
        return require(load(file), type, file);
    }

    /** Resolves an already parsed document; {@code source} names it in errors. */
    public static HfConfig parse(JsonNode json, Path source) {
        ConfigFields f = ConfigFields.top(json, source);
        if (f.given("_class_name")) {
            String cls = f.string("_class_name", null);
            return switch (cls) {
                case UNet2DConditionConfig.CLASS_NAME -> UNet2DConditionConfig.fromJson(json, source);
                case AutoencoderKLConfig.CLASS_NAME -> AutoencoderKLConfig.fromJson(json, source);
                default -> {
                    if (cls.endsWith("Scheduler")) yield SchedulerConfig.fromJson(json, source);
                    if (f.has("model_type")) yield byModelType(f, json, source);
                    throw f.error("_class_name", "unsupported \"" + cls
                            + "\"; expected UNet2DConditionModel, AutoencoderKL or a scheduler");
                }
            };
        }
        return byModelType(f, json, source);
    }

    private static HfConfig byModelType(ConfigFields f, JsonNode json, Path source) {
        if (!f.given("model_type")) {
            throw f.error("model_type", "missing; a transformers config.json names its model_type "
                    + "(llama, internlm2, clip, clip_text_model, clip_vision_model, llava), a diffusers one its _class_name");
        }
        String type = f.string("model_type", null);
        return switch (type) {
            case LlamaConfig.MODEL_TYPE -> LlamaConfig.fromJson(json, source);
            case InternLM2Config.MODEL_TYPE -> InternLM2Config.fromJson(json, source);
            case ClipConfig.MODEL_TYPE -> ClipConfig.fromJson(json, source);
            case ClipTextConfig.MODEL_TYPE -> ClipTextConfig.fromJson(json, source);
            case ClipVisionConfig.MODEL_TYPE -> ClipVisionConfig.fromJson(json, source);
            case LlavaConfig.MODEL_TYPE -> LlavaConfig.fromJson(json, source);
            default -> throw f.error("model_type", "unsupported \"" + type
                    + "\"; expected llama, internlm2, clip, clip_text_model, clip_vision_model or llava");
        };
    }

    static <T extends HfConfig> T require(HfConfig config, Class<T> type, Path source) {
        if (!type.isInstance(config)) {
            throw new UserError(source + ": is a " + config.kind() + " config, expected a "
                    + type.getSimpleName().replace("Config", "") + " config");
        }
        return type.cast(config);
    }

    /** Parses {@code file} as JSON, turning every I/O or syntax problem into one line. */
    public static JsonNode readJson(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return readJson(in, file);
        } catch (NoSuchFileException e) {
            throw new UserError(file + ": no such file");
        } catch (IOException e) {
            throw new UserError(file + ": cannot read: " + e.getMessage());
        }
    }

    static JsonNode readJson(InputStream in, Path source) throws IOException {
        try {
            JsonNode node = JSON.readTree(in);
            if (node == null || node.isMissingNode()) throw new UserError(source + ": not valid JSON: the file is empty");
            return node;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
            String what = e.getOriginalMessage().lines().findFirst().orElse("syntax error");
            throw new UserError(source + ": not valid JSON" + where + ": " + what);
        }
    }
}
