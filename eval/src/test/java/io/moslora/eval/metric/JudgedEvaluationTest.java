package io.moslora.eval.metric;

import static io.moslora.eval.data.TestTables.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.eval.data.DatasetKind;
import io.moslora.eval.data.Predictions;
import io.moslora.eval.data.TestTables;
import io.moslora.eval.data.VlmDataset;
import io.moslora.eval.judge.Judge;
import io.moslora.eval.score.ScoreResult;
import io.moslora.eval.score.Scorer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Judge-scored sets and the judge fallbacks, with a scripted judge (no network). */
class JudgedEvaluationTest {
    @TempDir
    Path dir;

    /** Replies from a script, recording prompts and temperatures. */
    static final class ScriptedJudge implements Judge {
        final Iterator<String> replies;
        final List<String> prompts = new ArrayList<>();
        final List<Double> temperatures = new ArrayList<>();

        ScriptedJudge(String... replies) {
            this.replies = List.of(replies).iterator();
        }

        @Override
        public String generate(String prompt, double temperature) {
            prompts.add(prompt);
            temperatures.add(temperature);
            return replies.next();
        }

        @Override
        public String name() {
            return "gpt-test";
        }
    }

    private Predictions preds(String... p) {
        String[] lines = new String[p.length + 1];
        lines[0] = row("index", "prediction");
        for (int i = 0; i < p.length; i++) {
            lines[i + 1] = row(String.valueOf(i + 1), p[i]);
        }
        return Predictions.read(TestTables.write(dir, "p.tsv", lines));
    }

    @Test
    void mmVetGradesWithRetriesAndCapabilities() {
        VlmDataset d = VlmDataset.load(TestTables.write(dir, "MMVet.tsv",
                row("index", "question", "answer", "category"),
                row("1", "What is x?", "-1<AND>-5", "rec,math"),
                row("2", "Read it", "stop", "ocr"),
                row("3", "Explain", "joke", "gen,rec")));
        // row 1: unparsable, then 0.5; row 2: out of range 2.0, then 1.0; row 3: five bad replies -> 0.0
        ScriptedJudge judge = new ScriptedJudge("maybe", "0.5", "2.0", "1.0", "a", "b", "c", "d", "e");
        ScoreResult r = Scorer.score(d, preds("x = -1", "stop", "lol"), judge);
        assertThat(judge.temperatures).containsExactly(0.0, 0.5, 0.0, 0.5, 0.0, 0.5, 1.0, 1.5, 2.0);
        assertThat(judge.prompts.get(0)).endsWith("\nWhat is x? | -1 <AND> -5 | x = -1 | ");
        // overall (0.5 + 1 + 0) / 3; rec: (0.5 + 0)/2 = 25; ocr 100; math 50; gen 0
        assertThat(r.overall()).isEqualTo(1.5 / 3 * 100);
        assertThat(r.categories()).containsEntry("rec", 25.0).containsEntry("ocr", 100.0).containsEntry("math", 50.0)
                .containsEntry("gen", 0.0);
        assertThat(r.scoreFileSuffix()).isEqualTo("_gpt-test_score");
        assertThat(r.csvRows().get(6)).containsExactly("Overall", "3", "50.0");
    }

    @Test
    void mathVistaPrefetchesThenAsksTheJudge() {
        VlmDataset d = VlmDataset.load(TestTables.write(dir, "MathVista_MINI.tsv",
                row("index", "question", "answer", "question_type", "answer_type", "choices", "answer_option",
                        "task", "skills"),
                row("1", "Which?", "8/11", "multi_choice", "text", "['3/11', '8/11']", "B", "geometry",
                        "['arithmetic']"),
                row("2", "How many?", "14", "free_form", "integer", "", "", "counting", "['counting']"),
                row("3", "How much?", "1.45", "free_form", "float", "", "", "money", "['arithmetic']"),
                row("4", "Which years?", "[2007, 2008]", "free_form", "list", "", "", "chart", "['statistics']")));
        assertThat(d.kind()).isEqualTo(DatasetKind.MATHVISTA);
        // 1: "(B) 8/11" prefetched as B -> right; 2: "14" prefetched; 3: judge says "1.45" -> right;
        // 4: list answers never match in the reference -> wrong even though the judge extracts it
        ScriptedJudge judge = new ScriptedJudge("1.45", "[2007, 2008]");
        ScoreResult r = Scorer.score(d, preds("The answer is (B) 8/11", "14", "Luca needs $1.45", "2007 and 2008"),
                judge);
        assertThat(judge.prompts).hasSize(2);
        assertThat(judge.prompts.get(0)).endsWith("How much?\nModel respone: Luca needs $1.45Extracted answer:");
        assertThat(r.overall()).isEqualTo(75.0);
        assertThat(r.csvRows().get(0)).containsExactly("Overall", "4", "2", "3", "50.0", "75.0");
        assertThat(r.categories()).containsEntry("arithmetic", 100.0).containsEntry("statistics", 0.0);
    }

    @Test
    void yesNoAsksTheJudgeOnlyForUnknownAnswers() {
        VlmDataset d = VlmDataset.load(TestTables.write(dir, "yes_no.tsv", row("index", "question", "answer"),
                row("1", "Is there a cat?", "Yes"), row("2", "Is there a dog?", "No")), DatasetKind.YORN);
        ScriptedJudge judge = new ScriptedJudge("Unknown", "No");
        ScoreResult r = Scorer.score(d, preds("Yes", "There is none."), judge);
        assertThat(judge.temperatures).containsExactly(0.0, 0.5);
        assertThat(r.overall()).isEqualTo(100.0);
        assertThat(Scorer.score(d, preds("Yes", "There is none."), null).overall()).isEqualTo(50.0);
    }
}
