package io.moslora.llava;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.cli.Cli;
import io.moslora.llava.tokenizer.RealTokenizers;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TokenizeCommandTest {
    private String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new TokenizeCommand(), new PrintWriter(out), new PrintWriter(err), args);
        return new String[] {Integer.toString(code), out.toString().strip(), err.toString().strip()};
    }

    @Test
    void plainAndTemplatedIds() {
        String model = RealTokenizers.llama2Model().toString();
        assertThat(run("--tokenizer", model, "--text", " grabbed")).containsExactly("0", "1 29871 2646 1327 287", "");
        String[] r = run("--tokenizer", model, "--template", "vicuna_v1", "--text", "<image>\nWhat is this?", "--json");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).startsWith("{\"tokenizer\":").contains("\"template\":\"vicuna_v1\"")
                .contains("3148,1001,29901,29871,-200,29871,13,").endsWith("319,1799,9047,13566,29901]}");
        String llama3 = RealTokenizers.llama3TokenizerJson().toString();
        assertThat(run("--tokenizer", llama3, "--text", "This is a test sentence.")[1]).isEqualTo("2028 374 264 1296 11914 13");
    }

    @Test
    void badInputsAreOneLineUserErrors() {
        String[] r = run("--tokenizer", "/no/such/tokenizer.json", "--text", "x");
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).isEqualTo("error: /no/such/tokenizer.json: tokenizer file not found; pass a tokenizer.json or tokenizer.model");
        r = run("--tokenizer", RealTokenizers.llama2Model().toString(), "--template", "nope", "--text", "x");
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).startsWith("error: --template 'nope': unknown");
        assertThat(run("--text", "x")[0]).isEqualTo("2");
    }
}
