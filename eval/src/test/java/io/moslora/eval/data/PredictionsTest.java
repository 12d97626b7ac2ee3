package io.moslora.eval.data;

import static io.moslora.eval.data.TestTables.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moslora.cli.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictionsTest {
    @TempDir
    Path dir;

    private VlmDataset data() {
        return VlmDataset.load(TestTables.write(dir, "SEEDBench_IMG.tsv",
                row("index", "image", "question", "A", "B", "answer", "category"),
                row("3", TestTables.pngBase64(2, 2, 0x00FF00), "Tab\\there? \"quoted\"", "yes", "no", "A", "c"),
                row("7", "3", "Second, with comma", "1.5", "", "B", "c")));
    }

    @Test
    void xlsxRoundTripInVlmEvalKitLayout() {
        VlmDataset d = data();
        Map<String, String> preds = new LinkedHashMap<>();
        preds.put("3", "A. yes\nbecause");
        preds.put("7", "");
        Path out = dir.resolve(PredictionFile.fileName("tiny-model", d.name()));
        PredictionFile.write(out, d, preds);
        assertThat(out.getFileName().toString()).isEqualTo("tiny-model_SEEDBench_IMG.xlsx");

        Table t = TableReader.read(out);
        // the dataset's columns without the image, then the prediction
        assertThat(t.columns()).containsExactly("index", "question", "A", "B", "answer", "category", "prediction");
        assertThat(t.size()).isEqualTo(2);
        for (int r = 0; r < 2; r++) {
            for (String c : List.of("question", "A", "B", "answer", "category")) {
                assertThat(t.get(r, c)).isEqualTo(d.get(r, c));
            }
        }
        assertThat(t.get(0, "index")).isEqualTo("3");
        assertThat(t.get(1, "B")).isNull();
        Predictions back = Predictions.read(out);
        back.requireCovers(d);
        assertThat(back.of("3")).isEqualTo("A. yes\nbecause");
        assertThat(back.of("7")).isEqualTo(Predictions.MISSING); // an empty cell reads back as pandas' "nan"
        assertThat(dir.toFile().list()).allMatch(n -> !n.endsWith(".tmp")); // atomic: no temp file left
    }

    @Test
    void csvPredictionsWithQuotedNewlines() throws Exception {
        Path csv = dir.resolve("p.csv");
        Files.writeString(csv, "index,prediction\n3,\"line one\nline two, with comma\"\n7,B\n");
        Predictions p = Predictions.read(csv);
        assertThat(p.of("3")).isEqualTo("line one\nline two, with comma");
        assertThat(p.of("7.0")).isEqualTo("B");
    }

    @Test
    void predictionsMustCoverTheDataset() {
        VlmDataset d = data();
        Path partial = TestTables.write(dir, "partial.tsv", row("index", "prediction"), row("3", "A"));
        assertThatThrownBy(() -> Predictions.read(partial).requireCovers(d)).isInstanceOf(UserError.class)
                .hasMessageContaining(partial + ": column 'prediction' has no row for 1 of 2 questions")
                .hasMessageContaining("first missing index 7");
        Path extra = TestTables.write(dir, "extra.tsv", row("index", "prediction"), row("3", "A"), row("7", "B"),
                row("8", "C"));
        assertThatThrownBy(() -> Predictions.read(extra).requireCovers(d)).isInstanceOf(UserError.class)
                .hasMessageContaining("column 'index' has 8");
        Path dup = TestTables.write(dir, "dup.tsv", row("index", "prediction"), row("3", "A"), row("3", "B"));
        assertThatThrownBy(() -> Predictions.read(dup)).isInstanceOf(UserError.class)
                .hasMessageContaining(dup + ": row 2 column 'index'");
        Path noPred = TestTables.write(dir, "nopred.tsv", row("index", "answer"), row("3", "A"));
        assertThatThrownBy(() -> Predictions.read(noPred)).isInstanceOf(UserError.class)
                .hasMessageContaining(noPred + ": missing column 'prediction'");
    }
}
