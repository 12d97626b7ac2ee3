package io.moslora.llava.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.cli.Cli;
import io.moslora.bench.PytorchPeer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code bench llava-train} in-process on the tiny preset, one round: every row there, every number finite and > 0. */
class LlavaTrainBenchCommandTest {
    static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new BenchCommand(), new PrintWriter(out), new PrintWriter(err), args);
        assertThat(code).as(err.toString()).isZero();
        return out.toString();
    }

    @Test
    void tinyRunReportsEveryVariantWithFinitePositiveNumbers() {
        String out = run("llava-train", "--preset", "tiny", "--rounds", "1", "--steps", "1", "--warmup", "0",
                "--batch", "2", "--text-tokens", "8", "--pytorch-script", "../benchmarks/pytorch_llava_step.py");
        // 2 × (7 text + 16 image features) positions, 2 × 4 answer tokens
        assertThat(out).contains("= 46 input positions per step, 8 supervised");
        List<String> variants = PytorchPeer.torchMissing() == null
                ? List.of("| LoRA |", "| MoSLoRA |", "| QMoSLoRA (NF4 LLM) |", "| LoRA, PyTorch ")
                : List.of("| LoRA |", "| MoSLoRA |", "| QMoSLoRA (NF4 LLM) |");
        for (String v : variants) {
            String row = out.lines().filter(l -> l.startsWith(v)).findFirst().orElseThrow(() -> new AssertionError(v + " missing:\n" + out));
            String[] cells = row.split("\\|");
            // | name | trainable | step ms | input tok/s | supervised tok/s | peak MiB | above MiB |
            assertThat(cells).as(row).hasSize(8);
            for (String cell : Arrays.copyOfRange(cells, 2, 8)) {
                double value = Double.parseDouble(cell.trim().replace(",", ""));
                assertThat(value).as(row).isFinite().isPositive();
            }
        }
        assertThat(out).contains("MoSLoRA / LoRA tokens/s", "QMoSLoRA / LoRA tokens/s", "our LoRA / PyTorch eager tokens/s");
    }

    @Test
    void badPresetIsAUserError() {
        StringWriter err = new StringWriter();
        int code = Cli.run(new BenchCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err),
                "llava-train", "--preset", "huge");
        assertThat(code).isEqualTo(Cli.USER_ERROR);
        assertThat(err.toString()).contains("--preset 'huge'");
    }
}
