package io.moslora.eval.metric;

import static io.moslora.eval.data.TestTables.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.eval.data.DatasetKind;
import io.moslora.eval.data.Predictions;
import io.moslora.eval.data.TestTables;
import io.moslora.eval.data.VlmDataset;
import io.moslora.eval.score.ScoreResult;
import io.moslora.eval.score.Scorer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VqaEvaluationTest {
    @TempDir
    Path dir;

    @Test
    void textVqaSoftAccuracyOverall() {
        Path tsv = TestTables.write(dir, "TextVQA_VAL.tsv", row("index", "question", "answer"),
                row("1", "Is it open?", "['yes', 'yes', 'no', 'no', 'no', 'no', 'no', 'no', 'no', 'no']"),
                row("2", "What animal?", "cat"),
                row("3", "What colour?", "['red', 'red', 'red', 'red', 'red', 'red', 'red', 'red', 'red', 'red']"));
        Path preds = TestTables.write(dir, "p.tsv", row("index", "prediction"),
                row("1", "Yes."), row("2", "the cat"), row("3", "red"));
        VlmDataset data = VlmDataset.load(tsv);
        assertThat(data.kind()).isEqualTo(DatasetKind.VQA);
        ScoreResult r = Scorer.score(data, Predictions.read(preds), null);
        // per question 0.6, 0 (one answer has no "other" answers), 1.0; mean·100 as numpy computes it
        assertThat(r.overall()).isEqualTo(53.333333333333336);
        assertThat(r.csvColumns()).containsExactly("Overall");
        assertThat(r.csvRows()).containsExactly(List.of("53.333333333333336"));
    }
}
