package io.moslora.eval.run;

import static io.moslora.eval.data.TestTables.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.cli.Cli;
import io.moslora.eval.cli.EvalCommand;
import io.moslora.eval.cli.RunCommand;
import io.moslora.eval.data.TestTables;
import io.moslora.eval.data.VlmDataset;
import io.moslora.eval.model.GenerationSettings;
import io.moslora.eval.model.VisionLanguageModel;
import io.moslora.eval.prompt.PromptBuilder;
import io.moslora.eval.report.SummaryTable;
import io.moslora.eval.score.ScoreResult;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run loop with a scripted stand-in model (the real one comes from the llava module): predictions file,
 * resume without recomputation, and that {@code eval score} on the written file reports the same numbers.
 */
class EvalRunnerTest {
    @TempDir
    Path dir;

    /** Answers "A" when the image is red, "B" otherwise; records every prompt. */
    static final class ColourModel implements VisionLanguageModel {
        final List<String> prompts = new ArrayList<>();

        @Override
        public String generate(List<BufferedImage> images, String prompt, GenerationSettings settings) {
            prompts.add(prompt);
            assertThat(settings).isEqualTo(GenerationSettings.SHORT_ANSWER);
            return (images.get(0).getRGB(0, 0) & 0xFFFFFF) == 0xFF0000 ? "A" : "The answer is B.";
        }

        @Override
        public String name() {
            return "colour-model";
        }
    }

    private VlmDataset dataset() {
        String red = TestTables.pngBase64(4, 4, 0xFF0000);
        String blue = TestTables.pngBase64(4, 4, 0x0000FF);
        return VlmDataset.load(TestTables.write(dir, "SEEDBench_IMG.tsv",
                row("index", "image", "question", "A", "B", "answer", "category"),
                row("1", red, "Colour?", "red", "blue", "A", "colour"),
                row("2", blue, "Colour?", "red", "blue", "B", "colour"),
                row("3", "1", "Is it blue?", "yes", "no", "A", "yesno"),
                row("4", blue, "Is it blue?", "yes", "no", "A", "yesno"),
                row("5", red, "Warm colour?", "no", "yes", "B", "warmth")));
    }

    @Test
    void runWritesPredictionsScoresAndResumes() throws Exception {
        ColourModel model = new ColourModel();
        StringWriter text = new StringWriter();
        EvalRunner runner = new EvalRunner(dir.resolve("out"), false, null, PromptBuilder.Style.XTUNER, null, 2, null);
        SummaryTable summary = RunCommand.runAll(model, List.of(dataset()), runner, new PrintWriter(text));
        // answers: A, B, A (red via reference), B, A -> right: 1, 2, 3; wrong: 4, 5
        assertThat(model.prompts).hasSize(5);
        assertThat(model.prompts.get(0)).isEqualTo("Colour?\nA. red\nB. blue\n"
                + "Answer with the option's letter from the given choices directly.");
        assertThat(summary.average("colour-model")).isEqualTo(60.0);
        Path modelDir = dir.resolve("out/colour-model");
        Path preds = modelDir.resolve("colour-model_SEEDBench_IMG.xlsx");
        assertThat(preds).isRegularFile();
        assertThat(modelDir.resolve("colour-model_SEEDBench_IMG_acc.csv")).isRegularFile();
        assertThat(modelDir.resolve("colour-model_summary.md")).isRegularFile();
        assertThat(modelDir.resolve("colour-model_SEEDBench_IMG_radar.png")).isRegularFile();

        // eval score on the written file gives the same headline
        StringWriter out = new StringWriter();
        int code = Cli.run(new EvalCommand(), new PrintWriter(out), new PrintWriter(new StringWriter()), "score",
                "--data", dir.resolve("SEEDBench_IMG.tsv").toString(), "--predictions", preds.toString(), "--json");
        assertThat(code).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("overall").asDouble()).isEqualTo(60.0);

        // --reuse: nothing is recomputed
        ColourModel again = new ColourModel();
        EvalRunner reuse = new EvalRunner(dir.resolve("out"), true, null, PromptBuilder.Style.XTUNER, null, 2, null);
        ScoreResult r = reuse.run(again, dataset());
        assertThat(again.prompts).isEmpty();
        assertThat(r.overall()).isEqualTo(60.0);
    }

    @Test
    void reuseComputesOnlyMissingRowsAndLimitCuts() {
        ColourModel first = new ColourModel();
        EvalRunner limited = new EvalRunner(dir.resolve("out"), false, 2, PromptBuilder.Style.XTUNER, null, 1, null);
        assertThat(limited.run(first, dataset()).overall()).isEqualTo(100.0);
        assertThat(first.prompts).hasSize(2);
        ColourModel second = new ColourModel();
        EvalRunner rest = new EvalRunner(dir.resolve("out"), true, null, PromptBuilder.Style.XTUNER, null, 1, null);
        assertThat(rest.run(second, dataset()).overall()).isEqualTo(60.0);
        assertThat(second.prompts).hasSize(3); // rows 3, 4, 5 only
    }

    @Test
    void limitKeepsImagesReferencedFromBeyondTheCut() {
        String red = TestTables.pngBase64(2, 2, 0xFF0000);
        VlmDataset d = VlmDataset.load(TestTables.write(dir, "x.tsv", row("index", "image", "question"),
                row("1", "9", "q"), row("9", red, "q")));
        assertThat(d.head(1).images(0).get(0).getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFF0000);
        assertThat(Files.exists(dir.resolve("x.tsv"))).isTrue();
    }

    @Test
    void brokenImageStopsTheRunButKeepsFinishedAnswers() throws Exception {
        String red = TestTables.pngBase64(4, 4, 0xFF0000);
        String junk = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODk=";
        VlmDataset d = VlmDataset.load(TestTables.write(dir, "AI2D_TEST.tsv",
                row("index", "image", "question", "A", "B", "answer"),
                row("1", red, "q", "a", "b", "A"), row("2", junk, "q", "a", "b", "A"), row("3", red, "q", "a", "b", "A")));
        EvalRunner runner = new EvalRunner(dir.resolve("out"), false, null, PromptBuilder.Style.XTUNER, null, 100, null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runner.run(new ColourModel(), d))
                .isInstanceOf(io.moslora.cli.UserError.class).hasMessageContaining("row 2 column 'image'");
        io.moslora.eval.data.Predictions saved = io.moslora.eval.data.Predictions.read(
                dir.resolve("out/colour-model/colour-model_AI2D_TEST.xlsx"));
        assertThat(saved.size()).isEqualTo(1);
        assertThat(saved.of("1")).isEqualTo("A");
    }

    @Test
    void overlongPredictionIsCutToTheExcelLimit() {
        VlmDataset d = VlmDataset.load(TestTables.write(dir, "q.tsv", row("index", "question", "answer"),
                row("1", "q", "a")));
        Path out = dir.resolve("m_q.xlsx");
        io.moslora.eval.data.PredictionFile.write(out, d, java.util.Map.of("1", "x".repeat(40000)));
        assertThat(io.moslora.eval.data.Predictions.read(out).of("1"))
                .hasSize(io.moslora.eval.data.TableWriter.MAX_CELL_CHARS);
    }
}
