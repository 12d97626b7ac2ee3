package io.moslora.llava.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.cli.Cli;
import io.moslora.llava.cli.BenchCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class GemmBenchmarkTest {
    @Test
    void blockProductsAreTheFrozenBasesForwardAndInputGradients() {
        List<GemmBenchmark.Gemm> g = GemmBenchmark.blockGemms(512, 1024, 2688);
        // 7 forward products; backward ∂x of o, gate, up, down (q,k,v's input needs no gradient, frozen W none)
        assertThat(g.stream().filter(x -> x.transposed()).mapToInt(GemmBenchmark.Gemm::perStep).sum()).isEqualTo(7);
        assertThat(g.stream().filter(x -> !x.transposed()).mapToInt(GemmBenchmark.Gemm::perStep).sum()).isEqualTo(4);
        // forward 2·(4·512·1024² + 3·512·1024·2688), backward 2·(512·1024² + 3·512·1024·2688)
        double flops = g.stream().mapToDouble(x -> 2.0 * x.m() * x.k() * x.n() * x.perStep()).sum();
        assertThat(flops).isEqualTo(2.0 * (5L * 512 * 1024 * 1024 + 6L * 512 * 1024 * 2688));
        assertThat(g.get(1).label()).isEqualTo("[512,1024]·[2688,1024]ᵀ");
        assertThat(g.get(4).label()).isEqualTo("[512,2688]·[2688,1024]");
        assertThat(GemmBenchmark.gflops(g.get(0), 1.0)).isEqualTo(2.0 * 512 * 1024 * 1024 / 1e6);
    }

    @Test
    void commandPrintsOursAndSaysWhenThePeerIsMissing() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new BenchCommand(), new PrintWriter(out), new PrintWriter(err), "gemm", "--tokens", "4",
                "--hidden", "8", "--inter", "16", "--rounds", "1", "--passes", "1", "--pytorch-script", "no/such/script.py");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("| forward gate,up | [4,8]·[16,8]ᵀ | 2 |")
                .contains("| n/a | n/a | n/a | n/a |").contains("PyTorch n/a ms");
    }
}
