package io.moslora.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PytorchPeerTest {
    @Test
    void aMissingScriptIsAReasonNotAnException(@TempDir Path dir) {
        PytorchPeer.Result r = PytorchPeer.run(dir.resolve("none.py"), List.of());
        assertThat(r.ok()).isFalse();
        assertThat(r.problem()).isEqualTo(dir.resolve("none.py") + ": no such peer script (run from the repository root or pass --pytorch-script)");
    }

    @Test
    void readsKeyValueLinesAndReportsAFailingScript(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(PytorchPeer.PYTHON), "no " + PytorchPeer.PYTHON);
        Path ok = Files.writeString(dir.resolve("ok.py"), "import sys\nprint('lora_step_ms 12.5')\nprint('args', *sys.argv[1:])\n");
        PytorchPeer.Result r = PytorchPeer.run(ok, List.of("--x", "7"));
        assertThat(r.problem()).isNull();
        assertThat(r.number("lora_step_ms")).isEqualTo(12.5);
        assertThat(r.values()).containsEntry("args", "--x 7");
        Path bad = Files.writeString(dir.resolve("bad.py"), "print('half done')\nraise SystemExit('no torch here')\n");
        assertThat(PytorchPeer.run(bad, List.of()).problem()).isEqualTo("exit 1: no torch here");
    }

    @Test
    void thePeerRunsWithoutOurMklShimButKeepsOtherPreloads() {
        String shim = "/repo/shared-adapters/target/native/" + io.moslora.engine.MklVendorCheck.SHIM_FILE;
        assertThat(PytorchPeer.withoutMklShim(null)).isNull();
        assertThat(PytorchPeer.withoutMklShim(shim)).isNull();
        assertThat(PytorchPeer.withoutMklShim(shim + ":/usr/lib/libjemalloc.so")).isEqualTo("/usr/lib/libjemalloc.so");
        assertThat(PytorchPeer.withoutMklShim("/a/liba.so::" + shim + ":/b/libb.so")).isEqualTo("/a/liba.so:/b/libb.so");
    }
}
