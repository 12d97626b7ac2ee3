package io.moslora.eval.metric;

import static io.moslora.eval.data.TestTables.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moslora.cli.UserError;
import io.moslora.eval.data.DatasetKind;
import io.moslora.eval.data.Predictions;
import io.moslora.eval.data.TestTables;
import io.moslora.eval.data.VlmDataset;
import io.moslora.eval.score.ScoreResult;
import io.moslora.eval.score.Scorer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YesNoEvaluationTest {
    @TempDir
    Path dir;

    @Test
    void mmeAccAndAccPlusByHand() {
        Path tsv = TestTables.write(dir, "MME.tsv", row("index", "image_path", "question", "answer", "category"),
                row("1", "a.jpg", "Is there a cat?", "Yes", "existence"),
                row("2", "a.jpg", "Is there a dog?", "No", "existence"),
                row("3", "b.jpg", "Is there a car?", "Yes", "existence"),
                row("4", "b.jpg", "Is there a bus?", "No", "existence"),
                row("5", "c.png", "Does the code print 3?", "Yes", "code_reasoning"),
                row("6", "c.png", "Does the code print 4?", "No", "code_reasoning"));
        Path preds = TestTables.write(dir, "p.tsv", row("index", "prediction"),
                row("1", "Yes"), row("2", "No"), row("3", "Yes, it is."), row("4", "Yes"), row("5", "no"),
                row("6", "No"));
        VlmDataset data = VlmDataset.load(tsv);
        assertThat(data.kind()).isEqualTo(DatasetKind.YORN);
        ScoreResult r = Scorer.score(data, Predictions.read(preds), null);
        // existence: 3/4 questions right = 75; image a both right, b not: acc+ = 1/2 = 50; score 125
        // code_reasoning: 1/2 = 50; acc+ 0; score 50
        assertThat(r.json()).containsEntry("perception", 125.0).containsEntry("cognition", 50.0)
                .containsEntry("total", 175.0);
        assertThat(r.overall()).isEqualTo(6.25); // 175 / 2800 · 100
        assertThat(r.categories()).containsExactly(Map.entry("existence", 125.0), Map.entry("code_reasoning", 50.0));
        assertThat(r.json().get("acc+")).isEqualTo(Map.of("existence", 50.0, "code_reasoning", 0.0));
        assertThat(r.csvColumns()).containsExactly("perception", "reasoning", "existence", "code_reasoning");
        assertThat(r.csvRows()).containsExactly(List.of("125.0", "50.0", "125.0", "50.0"));
        assertThat(Scorer.scoreFile(dir.resolve("m_MME.xlsx"), r)).isEqualTo(dir.resolve("m_MME_score.csv"));
    }

    @Test
    void mmeImageWithOneQuestionIsAnError() {
        Path tsv = TestTables.write(dir, "MME.tsv", row("index", "image_path", "question", "answer", "category"),
                row("1", "a.jpg", "Is there a cat?", "Yes", "existence"));
        Path preds = TestTables.write(dir, "p.tsv", row("index", "prediction"), row("1", "Yes"));
        assertThatThrownBy(() -> Scorer.score(VlmDataset.load(tsv), Predictions.read(preds), null))
                .isInstanceOf(UserError.class).hasMessageContaining("a.jpg").hasMessageContaining("image_path");
    }

    @Test
    void otherYesNoSetsArePlainAccuracy() {
        Path tsv = TestTables.write(dir, "POPE.tsv", row("index", "question", "answer", "category"),
                row("1", "q", "Yes", "adv"), row("2", "q", "No", "adv"), row("3", "q", "No", "pop"));
        Path preds = TestTables.write(dir, "p.tsv", row("index", "prediction"),
                row("1", "yes"), row("2", "yes"), row("3", "I'd say no"));
        // POPE's own rating (F1) is not implemented, so its name is refused unless the kind is forced
        assertThatThrownBy(() -> VlmDataset.load(tsv)).isInstanceOf(UserError.class)
                .hasMessageContaining("POPE: VLMEvalKit scores this benchmark with its own rule");
        ScoreResult r = Scorer.score(VlmDataset.load(tsv, DatasetKind.YORN), Predictions.read(preds), null);
        assertThat(r.overall()).isEqualTo(2.0 / 3 * 100);
        assertThat(r.csvColumns()).containsExactly("Overall", "adv", "pop");
        assertThat(r.csvRows()).containsExactly(List.of("66.66666666666666", "50.0", "100.0"));
    }
}
