package io.moslora.sdxl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.cli.Cli;
import io.moslora.bench.PytorchPeer;
import io.moslora.sdxl.bench.UNetStepBenchmark;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code sdxl bench} on the tiny UNet, one round: every row is there with a finite positive number. */
class SdxlBenchCommandTest {
    /** Tests run in the module folder; the peer script lives at the repository root. */
    private static final String SCRIPT = "../benchmarks/pytorch_sdxl_unet_step.py";

    @Test
    void tinyBenchPrintsEveryCaseAndRatio() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new SdxlCommand(), new PrintWriter(out), new PrintWriter(err), "bench", "--config", "tiny",
                "--rounds", "1", "--warmup", "0", "--threads", "1", "--no-progress", "--pytorch-script", SCRIPT);
        assertThat(code).as(err.toString()).isZero();
        Map<String, double[]> rows = rows(out.toString());
        boolean torch = PytorchPeer.torchMissing() == null;
        List<String> expected = new java.util.ArrayList<>(List.of(UNetStepBenchmark.TRAIN_LORA, UNetStepBenchmark.TRAIN_MOSLORA,
                UNetStepBenchmark.DENOISE_BASE, UNetStepBenchmark.DENOISE_UNMERGED, UNetStepBenchmark.DENOISE_MERGED,
                "MoSLoRA step / LoRA step", "merged denoise / base", "unmerged denoise / base"));
        if (torch) {
            expected.addAll(List.of(UNetStepBenchmark.TRAIN_LORA + ", PyTorch eager", UNetStepBenchmark.DENOISE_BASE + ", PyTorch eager",
                    "our LoRA step / PyTorch eager", "our base denoise / PyTorch eager"));
            assertThat(out.toString()).contains("1 threads");
        } else {
            assertThat(out.toString()).contains("PyTorch peer skipped: ");
        }
        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        rows.forEach((k, v) -> {
            assertThat(v).as(k).hasSize(2); // wall and thread CPU
            assertThat(v[0]).as(k).isFinite().isPositive();
            assertThat(v[1]).as(k).isFinite().isPositive();
        });
        assertThat(out.toString()).contains("1,049,188 parameters").contains("latents 16x16");
    }

    @Test
    void badOptionsFailWithOneLine() {
        StringWriter err = new StringWriter();
        assertThat(Cli.run(new SdxlCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err), "bench",
                "--rounds", "0")).isEqualTo(Cli.USER_ERROR);
        assertThat(err.toString().strip()).isEqualTo("error: --rounds 0: give at least 1");
        assertThat(Cli.run(new SdxlCommand(), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                "bench", "--config", "huge")).isEqualTo(Cli.USAGE);
    }

    /** Table rows {@code | name | number | number |} by name (header rows have no numbers and are skipped). */
    private static Map<String, double[]> rows(String text) {
        Map<String, double[]> rows = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] cells = line.split("\\|");
            if (cells.length >= 3 && cells[2].strip().matches("[-0-9.eE+NaInfity]+")) {
                double[] numbers = new double[cells.length - 2];
                for (int i = 2; i < cells.length; i++) {
                    numbers[i - 2] = Double.parseDouble(cells[i].strip());
                }
                rows.put(cells[1].strip(), numbers);
            }
        }
        return rows;
    }
}
