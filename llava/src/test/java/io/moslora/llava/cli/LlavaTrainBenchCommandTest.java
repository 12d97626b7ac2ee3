package io.moslora.llava.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.cli.Cli;
import io.moslora.bench.PytorchPeer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code bench llava-train} in-process on the tiny preset, one round, without the memory-probe JVMs (their own test
 * is {@code PeakMemoryProbeTest}): every row there, every number finite and > 0, our peak columns n/a.
 */
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
                "--batch", "2", "--text-tokens", "8", "--pytorch-script", "../benchmarks/pytorch_llava_step.py", "--no-memory");
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
            boolean ours = !v.contains("PyTorch");
            for (String cell : Arrays.copyOfRange(cells, 2, ours ? 6 : 8)) {
                double value = Double.parseDouble(cell.trim().replace(",", ""));
                assertThat(value).as(row).isFinite().isPositive();
            }
            if (ours) {
                assertThat(Arrays.copyOfRange(cells, 6, 8)).as(row).containsExactly(" n/a ", " n/a ");
            }
        }
        assertThat(out).contains("peak RSS: not measured for our variants (--no-memory)");
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
