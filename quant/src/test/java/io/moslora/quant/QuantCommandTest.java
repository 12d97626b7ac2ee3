package io.moslora.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class QuantCommandTest {

    @Test
    void benchHelpAndBadBlocksize() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(Cli.run(new QuantCommand(), new PrintWriter(out), new PrintWriter(err), "bench", "--help")).isEqualTo(Cli.OK);
        assertThat(out.toString()).contains("--blocksize").contains("memcpy");

        int code = Cli.run(new QuantCommand(), new PrintWriter(out), new PrintWriter(err), "bench", "--blocksize", "48");
        assertThat(code).isEqualTo(Cli.USER_ERROR);
        assertThat(err.toString().trim()).isEqualTo("error: --blocksize 48: use a power of two from 32 to 4096 (bitsandbytes' sizes)");
    }
}
