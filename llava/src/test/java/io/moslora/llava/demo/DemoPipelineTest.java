package io.moslora.llava.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.cli.Cli;
import io.moslora.eval.cli.EvalCommand;
import io.moslora.llava.data.demo.DemoDatasetGenerator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoPipelineTest {
    @Test
    void aFewStepsWriteEveryFileAndEvalRunUsesTheModel(@TempDir Path out) throws Exception {
        StringWriter log = new StringWriter();
        DemoPipeline.Report r = DemoPipeline.run(out, new DemoPipeline.Options(24, 6, 3, 2, 4, 4, 1, false),
                new PrintWriter(log));
        assertThat(r.rows()).extracting(DemoPipeline.Row::variant).containsExactly("base (no fine-tune)", "QMoSLoRA", "LoRA");
        assertThat(r.heldOut()).isEqualTo(6);
        // MoSLoRA has r×r more per adapted layer than LoRA: 7 LLM layers × 2 blocks + 6 CLIP layers × 2 = 26 mixers of 4×4
        assertThat(r.rows().get(1).trainableParameters() - r.rows().get(2).trainableParameters()).isEqualTo(26 * 16);
        for (String f : List.of("report.md", "loss_curves.png", "base/model/config.json", "base/model/model.safetensors",
                "base/model/tokenizer.json", "qmoslora/llm_adapter/adapter_model.safetensors",
                "lora/vision_adapter/adapter_config.json", "lora/projector.safetensors", "data/heldout_mcq.tsv")) {
            assertThat(out.resolve(f)).as(f).isRegularFile();
        }
        String report = Files.readString(out.resolve("report.md"));
        assertThat(report).contains("| QMoSLoRA |").contains("| LoRA |").contains("position");
        // the base's vocabulary has the new kind's words although its pre-training data leaves that kind out
        assertThat(Files.readString(out.resolve("base/model/tokenizer.json"))).contains("\"left\"", "\"right\"");
        // the pre-training data leaves the new question kind out
        assertThat(Files.readString(out.resolve("data/pretrain.json"))).doesNotContain("\"position\"")
                .contains("\"colour\"");

        // eval run finds the llava provider through META-INF/services and answers the exported MCQ table
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int rc = Cli.run(new EvalCommand(), new PrintWriter(o), new PrintWriter(e), "run", "--model",
                out.resolve("base/model").toString(), "--adapter", out.resolve("qmoslora").toString(), "--data",
                out.resolve("data").resolve(DemoDatasetGenerator.HELDOUT_TSV).toString(), "--work-dir",
                out.resolve("eval").toString());
        assertThat(rc).as(e.toString()).isZero();
        Path xlsx;
        try (Stream<Path> files = Files.walk(out.resolve("eval"))) {
            xlsx = files.filter(p -> p.getFileName().toString().endsWith(".xlsx")).findFirst().orElseThrow();
        }
        // eval score on the written predictions must give exactly the scores eval run reported (its _acc.csv)
        Path acc = xlsx.resolveSibling(xlsx.getFileName().toString().replace(".xlsx", "_acc.csv"));
        String reportedByRun = Files.readString(acc);
        Files.delete(acc);
        StringWriter so = new StringWriter();
        StringWriter se = new StringWriter();
        int scoreRc = Cli.run(new EvalCommand(), new PrintWriter(so), new PrintWriter(se), "score", "--data",
                out.resolve("data").resolve(DemoDatasetGenerator.HELDOUT_TSV).toString(), "--predictions", xlsx.toString(),
                "--json");
        assertThat(scoreRc).as(se.toString()).isZero();
        assertThat(so.toString()).contains("\"overall\"");
        assertThat(Files.readString(acc)).isEqualTo(reportedByRun);
    }
}
