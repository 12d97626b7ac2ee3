package io.moslora.llava;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCommandsTest {
    private static String[] run(Object cmd, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(cmd, new PrintWriter(out), new PrintWriter(err), args);
        return new String[] {Integer.toString(code), out.toString().strip(), err.toString().strip()};
    }

    @Test
    void demoDataThenCheckDataPassesAndABrokenImageFailsUnlessSkipped(@TempDir Path dir) throws Exception {
        String[] r = run(new DemoDataCommand(), "--out", dir.toString(), "--train", "8", "--heldout", "4", "--image-size", "32");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).endsWith("wrote 8 training and 4 held-out samples to " + dir);
        String data = dir.resolve("train.json").toString();
        String images = dir.resolve("images").toString();
        assertThat(run(new CheckDataCommand(), "--data", data, "--images", images)[1])
                .endsWith(data + ": 8 samples usable, 0 skipped");
        Files.write(dir.resolve("images/train_00003.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        r = run(new CheckDataCommand(), "--data", data, "--images", images);
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).startsWith("error: " + data + ": 1 bad sample(s), first record 3 (id train_00003): image ")
                .endsWith("; fix them or pass --skip-bad to leave them out");
        r = run(new CheckDataCommand(), "--data", data, "--images", images, "--skip-bad");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).contains("record 3 (id train_00003)").endsWith(data + ": 7 samples usable, 1 skipped");
        assertThat(run(new DemoDataCommand(), "--out", dir.toString(), "--image-size", "8")[2])
                .isEqualTo("error: --image-size 8: must be at least 16");
    }
}
