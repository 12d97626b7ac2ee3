package io.moslora.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HfConfigJsonTest {
    @TempDir Path dir;

    static Stream<HfConfig> everyConfig() {
        List<HfConfig> all = new ArrayList<>();
        for (String f : List.of("llava-1.5-7b-hf/config.json", "vicuna-7b-v1.5/config.json",
                "Meta-Llama-3-8B-Instruct/config.json", "internlm2-chat-7b/config.json",
                "clip-vit-large-patch14-336/config.json", "sdxl-base-1.0/unet/config.json",
                "sdxl-base-1.0/vae/config.json", "sdxl-base-1.0/text_encoder/config.json",
                "sdxl-base-1.0/text_encoder_2/config.json", "sdxl-base-1.0/scheduler/scheduler_config.json")) {
            all.add(HfConfigs.load(Fixtures.config(f)));
        }
        for (String name : TinyConfigs.NAMES) all.add(TinyConfigs.load(name));
        for (String empty : List.of("{\"model_type\": \"llama\"}", "{\"model_type\": \"internlm2\"}",
                "{\"model_type\": \"clip\"}", "{\"model_type\": \"llava\"}", "{\"_class_name\": \"UNet2DConditionModel\"}",
                "{\"_class_name\": \"AutoencoderKL\"}", "{\"_class_name\": \"DDIMScheduler\"}",
                "{\"_class_name\": \"DPMSolverMultistepScheduler\"}",
                "{\"model_type\": \"llama\", \"bos_token_id\": null, \"eos_token_id\": null, \"pretraining_tp\": null}")) {
            all.add(Fixtures.parse(empty));
        }
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("everyConfig")
    void writtenConfigReadsBackEqual(HfConfig config) {
        Path file = dir.resolve("config.json");
        HfConfigJson.write(config, file);
        HfConfig again = HfConfigs.load(file);
        assertThat(again).usingRecursiveComparison().ignoringFields("file").isEqualTo(config);
        assertThat(again).isInstanceOf(config.getClass());
    }

    @Test
    void writesTheSpellingsThePythonLibrariesRead() {
        ObjectNode llava = HfConfigJson.toJson(HfConfigs.load(Fixtures.config("llava-1.5-7b-hf/config.json")));
        assertThat(llava.get("model_type").asText()).isEqualTo("llava");
        assertThat(llava.get("vision_feature_layer").isInt()).isTrue();
        assertThat(llava.get("vision_feature_layer").intValue()).isEqualTo(-2);
        JsonNode text = llava.get("text_config");
        assertThat(text.get("model_type").asText()).isEqualTo("llama");
        assertThat(text.get("eos_token_id").intValue()).isEqualTo(2);
        assertThat(text.get("num_key_value_heads").isNull()).isTrue();
        assertThat(text.get("_name_or_path").asText()).isEqualTo("lmsys/vicuna-7b-v1.5");
        assertThat(llava.get("ignore_index").intValue()).isEqualTo(-100);

        ObjectNode internlm = HfConfigJson.toJson(HfConfigs.load(Fixtures.config("internlm2-chat-7b/config.json")));
        assertThat(internlm.get("rope_scaling").get("type").asText()).isEqualTo("dynamic");
        assertThat(internlm.get("bias").booleanValue()).isFalse();

        ObjectNode unet = HfConfigJson.toJson(HfConfigs.load(Fixtures.config("sdxl-base-1.0/unet/config.json")));
        assertThat(unet.get("_class_name").asText()).isEqualTo("UNet2DConditionModel");
        assertThat(unet.get("attention_head_dim").toString()).isEqualTo("[5,10,20]");
        assertThat(unet.get("transformer_layers_per_block").toString()).isEqualTo("[1,2,10]");

        ObjectNode euler = HfConfigJson.toJson(Fixtures.parse("{\"_class_name\": \"EulerDiscreteScheduler\"}"));
        assertThat(euler.get("_class_name").asText()).isEqualTo("EulerDiscreteScheduler");
        assertThat(euler.has("clip_sample")).isFalse(); // Euler has no such option: left out, not null
    }

    @Test
    void snakeCaseOfComponentNames() {
        assertThat(HfConfigJson.snake("numKeyValueHeads")).isEqualTo("num_key_value_heads");
        assertThat(HfConfigJson.snake("projectionClassEmbeddingsInputDim")).isEqualTo("projection_class_embeddings_input_dim");
        assertThat(HfConfigJson.snake("vocabSize")).isEqualTo("vocab_size");
    }
}
