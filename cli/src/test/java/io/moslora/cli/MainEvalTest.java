package io.moslora.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher reaches {@code eval score}. */
class MainEvalTest {
    @Test
    void evalScoreThroughTheLauncher(@TempDir Path dir) throws Exception {
        Path data = Files.writeString(dir.resolve("AI2D_TEST.tsv"),
                "index\tquestion\tA\tB\tanswer\n1\tq\tcat\tdog\tB\n2\tq\tcat\tdog\tA\n");
        Path preds = Files.writeString(dir.resolve("m_AI2D_TEST.tsv"), "index\tprediction\n1\tB\n2\tdog\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new Main(), new PrintWriter(out), new PrintWriter(err), "eval", "score", "--data",
                data.toString(), "--predictions", preds.toString(), "--json");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("\"dataset\":\"AI2D_TEST\"").contains("\"kind\":\"mcq\"")
                .contains("\"overall\":50.0");
        assertThat(Files.readString(dir.resolve("m_AI2D_TEST_acc.csv")))
                .isEqualTo("\"split\",\"Overall\"\n\"none\",\"0.5\"\n");
    }
}
