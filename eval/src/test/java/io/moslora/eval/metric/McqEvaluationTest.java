package io.moslora.eval.metric;

import static io.moslora.eval.data.TestTables.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.eval.data.DatasetKind;
import io.moslora.eval.data.Predictions;
import io.moslora.eval.data.TestTables;
import io.moslora.eval.data.VlmDataset;
import io.moslora.eval.extract.OptionMatcher;
import io.moslora.eval.judge.Judge;
import io.moslora.eval.score.ScoreResult;
import io.moslora.eval.score.Scorer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class McqEvaluationTest {
    @TempDir
    Path dir;

    private static final String HEADER = row("index", "question", "A", "B", "C", "answer", "category",
            "l2-category", "split");

    /**
     * Four questions: 1 right by letter, 2 right by option text (its empty option C is left out), 3 "Z" (no
     * option), 4 wrong letter. Split dev = {1,2,3}, test = {4}.
     */
    private VlmDataset vanillaData() {
        Path tsv = TestTables.write(dir, "tiny_mcq.tsv", HEADER,
                row("1", "What animal?", "cat", "dog", "bird", "A", "color", "perception", "dev"),
                row("2", "Which colour?", "red", "blue", "", "B", "color", "perception", "dev"),
                row("3", "How many?", "x", "y", "z", "C", "count", "reasoning", "dev"),
                row("4", "How many now?", "one", "two", "three", "A", "count", "reasoning", "test"));
        return VlmDataset.load(tsv);
    }

    private Predictions preds(String... indexAndPrediction) {
        String[] lines = new String[indexAndPrediction.length / 2 + 1];
        lines[0] = row("index", "prediction");
        for (int i = 0; i < indexAndPrediction.length; i += 2) {
            lines[i / 2 + 1] = row(indexAndPrediction[i], indexAndPrediction[i + 1]);
        }
        return Predictions.read(TestTables.write(dir, "preds.tsv", lines));
    }

    @Test
    void plainAccuracyOverallAndPerGroup() {
        VlmDataset data = vanillaData();
        assertThat(data.kind()).isEqualTo(DatasetKind.MCQ);
        ScoreResult r = Scorer.score(data, preds("1", "A", "2", "blue", "3", "I don't know", "4", "B"), null);
        assertThat(r.overall()).isEqualTo(50.0); // 2 of 4
        assertThat(r.categories()).containsExactly(Map.entry("color", 100.0), Map.entry("count", 0.0));
        // VLMEvalKit's _acc.csv: one row per split (sorted), fractions, NaN as empty; l2 groups before categories
        assertThat(r.csvColumns()).containsExactly("split", "Overall", "perception", "reasoning", "color", "count");
        assertThat(r.csvRows()).containsExactly(
                List.of("dev", "0.6666666666666666", "1.0", "0.0", "1.0", "0.0"),
                List.of("test", "0.0", "", "0.0", "", "0.0"));
    }

    @Test
    void scoreFileIsWrittenBesideThePredictionsFullyQuoted() throws Exception {
        VlmDataset data = vanillaData();
        Path predFile = dir.resolve("m_tiny_mcq.tsv");
        Files.writeString(predFile, "index\tprediction\n1\tA\n2\tA\n3\tC\n4\tA\n");
        ScoreResult r = Scorer.score(data, Predictions.read(predFile), null);
        Path written = Scorer.writeScoreFile(predFile, r);
        assertThat(written).isEqualTo(dir.resolve("m_tiny_mcq_acc.csv"));
        assertThat(Files.readString(written)).isEqualTo(
                "\"split\",\"Overall\",\"perception\",\"reasoning\",\"color\",\"count\"\n"
                        + "\"dev\",\"0.6666666666666666\",\"0.5\",\"1.0\",\"0.5\",\"1.0\"\n"
                        + "\"test\",\"1.0\",\"\",\"1.0\",\"\",\"1.0\"\n");
    }

    private VlmDataset circularData() {
        // Question 1 asked three times with its options rotated; question 2 twice; question 3 once.
        Path tsv = TestTables.write(dir, "tiny_circular.tsv", HEADER,
                row("1", "Pet?", "cat", "dog", "fish", "A", "c1", "L", "dev"),
                row("1000001", "Pet?", "dog", "cat", "fish", "B", "c1", "L", "dev"),
                row("2000001", "Pet?", "fish", "dog", "cat", "C", "c1", "L", "dev"),
                row("2", "Sky?", "blue", "green", "red", "A", "c2", "L", "dev"),
                row("1000002", "Sky?", "green", "blue", "red", "B", "c2", "L", "dev"),
                row("3", "Sea?", "wet", "dry", "hot", "A", "c2", "L", "dev"));
        return VlmDataset.load(tsv);
    }

    @Test
    void circularEvalNeedsEveryRotationRight() {
        VlmDataset data = circularData();
        assertThat(data.kind()).isEqualTo(DatasetKind.CIRCULAR);
        // group 1: rotations 0 and 1 right, rotation 2 answers "A" (fish) instead of C -> wrong
        // group 2: both rotations right; group 3: "hmm" names no option -> undecided -> wrong without a judge
        Predictions p = preds("1", "A", "1000001", "B", "2000001", "A", "2", "A", "1000002", "blue", "3", "hmm");
        ScoreResult r = Scorer.score(data, p, null);
        assertThat(r.json().get("questions")).isEqualTo(3);
        assertThat(r.overall()).isEqualTo(1.0 / 3 * 100); // mean · 100, as VLMEvalKit prints percents
        assertThat(r.categories()).containsExactly(Map.entry("c1", 0.0), Map.entry("c2", 50.0));
        assertThat(r.csvRows()).containsExactly(
                List.of("dev", "0.3333333333333333", "0.3333333333333333", "0.0", "0.5"));
    }

    @Test
    void circularEvalAsksTheJudgeOnlyForUndecidedRotations() {
        VlmDataset data = circularData();
        Predictions p = preds("1", "A", "1000001", "B", "2000001", "C", "2", "A", "1000002", "blue", "3", "hmm");
        int[] calls = {0};
        Judge judge = new Judge() {
            @Override
            public String generate(String prompt, double temperature) {
                calls[0]++;
                assertThat(prompt).contains("Question: Sea??\nOptions: There are several options: \nA. wet\n");
                return "A";
            }

            @Override
            public String name() {
                return "fake";
            }
        };
        assertThat(McqEvaluation.circular(data, p, new OptionMatcher(judge, 0)).overall()).isEqualTo(100.0);
        assertThat(calls[0]).isEqualTo(1);
        // without the judge question 3 is undecided and fails
        assertThat(McqEvaluation.circular(data, p, new OptionMatcher(null, 0)).overall()).isEqualTo(2.0 / 3 * 100);
    }

    @Test
    void mmbenchAbilitiesAreAbbreviated() {
        Path tsv = TestTables.write(dir, "MMBench_DEV_EN.tsv", HEADER,
                row("1", "q", "a", "b", "c", "A", "image_scene", "coarse_perception", "dev"),
                row("2", "q", "a", "b", "c", "B", "nature_relation", "relation_reasoning", "dev"));
        VlmDataset data = VlmDataset.load(tsv);
        assertThat(data.kind()).isEqualTo(DatasetKind.CIRCULAR);
        ScoreResult r = Scorer.score(data, preds("1", "A", "2", "A"), null);
        assertThat(r.csvColumns()).containsExactly("split", "Overall", "CP", "RR", "image_scene", "nature_relation");
        assertThat(r.csvRows()).containsExactly(List.of("dev", "0.5", "1.0", "0.0", "1.0", "0.0"));
    }
}
