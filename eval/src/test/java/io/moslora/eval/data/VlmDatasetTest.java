package io.moslora.eval.data;

import static io.moslora.eval.data.TestTables.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moslora.cli.UserError;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VlmDatasetTest {
    @TempDir
    Path dir;

    @Test
    void imagesAndReferencesDecode() {
        String red = TestTables.pngBase64(3, 2, 0xFF0000);
        Path tsv = TestTables.write(dir, "custom.tsv", row("index", "image", "question", "A", "B", "answer"),
                row("10", red, "q1", "x", "y", "A"),
                row("11", "10", "q2", "None", "y", "B"));
        VlmDataset d = VlmDataset.load(tsv);
        assertThat(d.kind()).isEqualTo(DatasetKind.MCQ); // unknown name, option columns
        List<BufferedImage> shared = d.images(1);
        assertThat(shared).hasSize(1);
        assertThat(shared.get(0).getWidth()).isEqualTo(3);
        assertThat(shared.get(0).getRGB(2, 1) & 0xFFFFFF).isEqualTo(0xFF0000);
        assertThat(d.imageKey(1)).isEqualTo(d.imageKey(0));
        // pandas reads the option text "None" as NaN, so VLMEvalKit drops it; so do we
        assertThat(d.options(1)).isEqualTo(Map.of("B", "y"));
    }

    @Test
    void unknownSetWithoutOptionsIsVqa() {
        Path tsv = TestTables.write(dir, "mine.tsv", row("index", "question", "answer"), row("1", "q", "a"));
        assertThat(VlmDataset.load(tsv).kind()).isEqualTo(DatasetKind.VQA);
        Path circ = TestTables.write(dir, "mine_circular.tsv", row("index", "question", "A", "B", "answer"),
                row("1", "q", "a", "b", "A"));
        assertThat(VlmDataset.load(circ).kind()).isEqualTo(DatasetKind.CIRCULAR);
    }

    @Test
    void undecodableImageNamesFileRowAndColumn() {
        Path tsv = TestTables.write(dir, "bad.tsv", row("index", "image", "question"),
                row("1", TestTables.pngBase64(2, 2, 0), "ok"),
                row("2", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODk=", "broken"));
        VlmDataset d = VlmDataset.load(tsv);
        assertThat(d.images(0)).hasSize(1);
        assertThatThrownBy(() -> d.images(1)).isInstanceOf(UserError.class)
                .hasMessageContaining(tsv.toString()).hasMessageContaining("row 2").hasMessageContaining("'image'")
                .hasMessageContaining("does not decode");
    }

    @Test
    void danglingImageReferenceIsAnError() {
        Path tsv = TestTables.write(dir, "ref.tsv", row("index", "image", "question"), row("1", "99", "q"));
        assertThatThrownBy(() -> VlmDataset.load(tsv)).isInstanceOf(UserError.class)
                .hasMessageContaining("row 1 column 'image'").hasMessageContaining("'99'");
    }

    @Test
    void duplicateIndexIsAnError() {
        Path tsv = TestTables.write(dir, "dup.tsv", row("index", "question"), row("1", "a"), row("2", "b"),
                row("1.0", "c"));
        assertThatThrownBy(() -> VlmDataset.load(tsv)).isInstanceOf(UserError.class)
                .hasMessageContaining(tsv + ": row 3 column 'index'").hasMessageContaining("duplicate index 1");
    }

    @Test
    void missingColumnIsAnError() {
        Path tsv = TestTables.write(dir, "nocol.tsv", row("question", "answer"), row("q", "a"));
        assertThatThrownBy(() -> VlmDataset.load(tsv)).isInstanceOf(UserError.class)
                .hasMessageContaining(tsv + ": missing column 'index'");
        Path noAnswer = TestTables.write(dir, "TextVQA_x.tsv", row("index", "question"), row("1", "q"));
        Path preds = TestTables.write(dir, "p.tsv", row("index", "prediction"), row("1", "a"));
        VlmDataset d = VlmDataset.load(noAnswer, DatasetKind.MCQ);
        assertThatThrownBy(() -> io.moslora.eval.score.Scorer.score(d, Predictions.read(preds), null))
                .isInstanceOf(UserError.class).hasMessageContaining("missing column 'answer'");
    }
}
