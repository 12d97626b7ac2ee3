package io.moslora.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moslora.cli.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every bad file gives one line that names the file and the field. */
class ConfigErrorsTest {
    @TempDir Path dir;

    private Path write(String json) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        return file;
    }

    private String errorOf(String json) throws IOException {
        Path file = write(json);
        try {
            HfConfigs.load(file);
        } catch (UserError e) {
            assertThat(e.getMessage()).doesNotContain("\n").startsWith(file + ": ");
            return e.getMessage().substring(file.toString().length() + 2);
        }
        throw new AssertionError("no error for " + json);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"model_type": "llama", "hidden_size": "abc"}                     | field hidden_size: expected an integer, got "abc"
            {"model_type": "llama", "hidden_size": 4096.5}                    | field hidden_size: expected an integer, got 4096.5
            {"model_type": "llama", "hidden_size": null}                      | field hidden_size: expected an integer, got null
            {"model_type": "llama", "hidden_size": 99999999999}               | field hidden_size: integer 99999999999 is out of range
            {"model_type": "llama", "rms_norm_eps": "1e-5"}                   | field rms_norm_eps: expected a number, got "1e-5"
            {"model_type": "llama", "tie_word_embeddings": 1}                 | field tie_word_embeddings: expected true or false, got 1
            {"model_type": "llama", "hidden_act": 3}                          | field hidden_act: expected a string, got 3
            {"model_type": "llama", "eos_token_id": [2, "x"]}                 | field eos_token_id[1]: expected an integer, got "x"
            {"model_type": "llama", "rope_scaling": 2.0}                      | field rope_scaling: expected an object, got 2.0
            {"model_type": "llama", "rope_scaling": {"factor": 2.0}}          | field rope_scaling.rope_type: missing; rope_scaling needs a rope_type (or type)
            {"model_type": "llama", "num_attention_heads": 3}                 | field num_attention_heads: 3 does not divide hidden_size 4096
            {"model_type": "llama", "num_key_value_heads": 5}                 | field num_key_value_heads: 5 does not divide num_attention_heads 32
            {"model_type": "llava", "text_config": {"hidden_size": true}}     | field text_config.hidden_size: expected an integer, got true
            {"model_type": "llava", "text_config": []}                        | field text_config: expected an object, got []
            {"model_type": "clip_vision_model", "patch_size": 15}             | field patch_size: 15 does not divide image_size 224
            {"model_type": "clip", "vision_config": {"image_size": "x"}}      | field vision_config.image_size: expected an integer, got "x"
            {"_class_name": "AutoencoderKL", "scaling_factor": "0.13"}        | field scaling_factor: expected a number, got "0.13"
            {"_class_name": "AutoencoderKL", "block_out_channels": 64}        | field block_out_channels: expected a list of integers, got 64
            {"_class_name": "UNet2DConditionModel", "layers_per_block": "2"}  | field layers_per_block: expected an integer or a list of integers, got "2"
            {"_class_name": "DDPMScheduler", "clip_sample": "no"}             | field clip_sample: expected true or false, got "no"
            {"hidden_size": 4096}                                             | field model_type: missing; a transformers config.json names its model_type (llama, internlm2, clip, clip_text_model, clip_vision_model, llava), a diffusers one its _class_name
            {"model_type": "gpt2"}                                            | field model_type: unsupported "gpt2"; expected llama, internlm2, clip, clip_text_model, clip_vision_model or llava
            {"model_type": 7}                                                 | field model_type: expected a string, got 7
            [1, 2]                                                            | expected a JSON object at the top level, got [1,2]
            """)
    void wrongValuesNameTheField(String json, String expected) throws IOException {
        assertThat(errorOf(json)).isEqualTo(expected);
    }

    @Test
    void malformedJsonSaysWhere() throws IOException {
        assertThat(errorOf("{\"model_type\": \"llama\",\n  \"hidden_size\": 40 96}"))
                .startsWith("not valid JSON at line 2 column ");
        assertThat(errorOf("{\"model_type\": \"llama\"")).startsWith("not valid JSON at line 1 column ");
        assertThat(errorOf("")).isEqualTo("not valid JSON: the file is empty");
        assertThat(errorOf("{\"model_type\": \"llama\"} {}")).startsWith("not valid JSON at line 1 column ");
    }

    @Test
    void missingFileAndWrongKind() throws IOException {
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> HfConfigs.load(missing)).isInstanceOf(UserError.class).hasMessage(missing + ": no such file");
        Path file = write("{\"model_type\": \"llama\"}");
        assertThatThrownBy(() -> HfConfigs.load(file, LlavaConfig.class))
                .hasMessage(file + ": is a llama config, expected a Llava config");
    }

    @Test
    void pythonStyleNonNumbersAreReadLikePythonDoes() throws IOException {
        LlamaConfig c = HfConfigs.load(write("{\"model_type\": \"llama\", \"initializer_range\": NaN}"), LlamaConfig.class);
        assertThat(c.initializerRange()).isNaN();
    }
}
