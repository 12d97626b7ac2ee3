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

    @Test
    void benchTrainRunsBothComparisonsOnTinyShapes() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new QuantCommand(), new PrintWriter(out), new PrintWriter(err), "bench-train", "--hidden", "64",
                "--seq", "4", "--batch", "1", "--rank", "2", "--rounds", "1", "--matmul", "64x128", "--rows", "2");
        assertThat(code).as(err.toString()).isEqualTo(Cli.OK);
        assertThat(out.toString()).contains("| MoSLoRA, f32 base |").contains("| QMoSLoRA, NF4 + double-quant base |")
                .contains("ratio QMoSLoRA / MoSLoRA").containsPattern("\\| 2 \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\|");
        assertThat(Cli.run(new QuantCommand(), new PrintWriter(out), new PrintWriter(err), "bench-train", "--matmul", "4096"))
                .isEqualTo(Cli.USER_ERROR);
        assertThat(err.toString()).contains("--matmul 4096: give OUTxIN");
    }

    @Test
    void everySubcommandHasHelp() {
        for (String sub : new String[] {"nf4", "dequant", "inspect", "bench-train"}) {
            StringWriter out = new StringWriter();
            assertThat(Cli.run(new QuantCommand(), new PrintWriter(out), new PrintWriter(new StringWriter()), sub, "--help"))
                    .isEqualTo(Cli.OK);
            assertThat(out.toString()).contains("Usage:").contains(sub);
        }
    }
}
