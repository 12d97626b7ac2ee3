package io.moslora.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCommandTest {
    @TempDir Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Cli.run(new ConfigCommand(), new PrintWriter(out), new PrintWriter(err), args);
    }

    @Test
    void printsEveryResolvedFieldOfLlavaHf() {
        assertThat(run(Fixtures.config("llava-1.5-7b-hf/config.json").toString())).isEqualTo(Cli.OK);
        assertThat(out.toString())
                .contains("text_config.hidden_size = 4096\n")
                .contains("text_config.rms_norm_eps = 1.0E-5\n")
                .contains("vision_config.hidden_act = \"quick_gelu\"\n")
                .contains("image_token_index = 32000\n");
    }

    @Test
    void jsonOutputIsAConfigThatReadsBack() throws Exception {
        assertThat(run("--tiny", "tiny-unet", "--json")).isEqualTo(Cli.OK);
        Path file = dir.resolve("config.json");
        Files.writeString(file, out.toString());
        assertThat(HfConfigs.load(file)).isEqualTo(TinyConfigs.load("tiny-unet"));
    }

    @Test
    void badFileIsOneLineAndExitOne() throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"model_type\": \"llama\", \"hidden_size\": \"abc\"}");
        assertThat(run(file.toString())).isEqualTo(Cli.USER_ERROR);
        assertThat(err.toString()).isEqualTo("error: " + file + ": field hidden_size: expected an integer, got \"abc\""
                + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void usageErrors() {
        assertThat(run()).isEqualTo(Cli.USAGE);
        assertThat(run("--tiny", "tiny-llama", "x.json")).isEqualTo(Cli.USAGE);
    }
}
