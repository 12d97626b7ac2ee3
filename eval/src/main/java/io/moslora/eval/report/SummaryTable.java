package io.moslora.eval.report;

import io.moslora.eval.data.DatasetCatalog;
import io.moslora.eval.data.DatasetKind;
import io.moslora.eval.data.TableWriter;
import io.moslora.eval.score.ScoreResult;
import io.moslora.io.AtomicFiles;
import io.moslora.eval.text.PyFloat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results of several models on several benchmarks side by side, like the paper's Table 5: one row per model,
 * one column per dataset, and the average. MME is shown as its total score (out of 2800) but enters the average on
 * the 0–100 scale; datasets that still need a judge show "needs judge" and are left out of the average.
 */
public final class SummaryTable {
    private final Map<String, Map<String, ScoreResult>> byModel = new LinkedHashMap<>();
    private final LinkedHashSet<String> datasets = new LinkedHashSet<>();

    public SummaryTable add(String model, ScoreResult result) {
        byModel.computeIfAbsent(model, m -> new LinkedHashMap<>()).put(result.dataset(), result);
        datasets.add(result.dataset());
        return this;
    }

    public List<String> datasets() {
        return List.copyOf(datasets);
    }

    /** The number shown for a result: MME's total score, otherwise the headline percent. */
    static double shown(ScoreResult r) {
        if (r.kind() == DatasetKind.YORN && DatasetCatalog.isMme(r.dataset()) && r.json().get("total") instanceof Double t) {
            return t;
        }
        return r.overall();
    }

    /** Mean of the headline percents that exist (judge-less sets excluded); NaN when none. */
    public double average(String model) {
        double sum = 0;
        int n = 0;
        for (ScoreResult r : byModel.getOrDefault(model, Map.of()).values()) {
            if (!r.needsJudge()) {
                sum += r.overall();
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private boolean anyMissing() {
        for (Map<String, ScoreResult> m : byModel.values()) {
            if (m.size() < datasets.size() || m.values().stream().anyMatch(ScoreResult::needsJudge)) {
                return true;
            }
        }
        return false;
    }

    private String cell(String model, String dataset) {
        ScoreResult r = byModel.get(model).get(dataset);
        if (r == null) {
            return "-";
        }
        return r.needsJudge() ? ScoreResult.NEEDS_JUDGE : String.format(Locale.ROOT, "%.1f", shown(r));
    }

    public String toMarkdown() {
        StringBuilder b = new StringBuilder("| Model |");
        for (String d : datasets) {
            b.append(' ').append(d).append(" |");
        }
        b.append(" Avg. |\n|---|");
        b.append("---:|".repeat(datasets.size() + 1)).append('\n');
        for (String model : byModel.keySet()) {
            b.append("| ").append(model).append(" |");
            for (String d : datasets) {
                b.append(' ').append(cell(model, d)).append(" |");
            }
            double avg = average(model);
            b.append(' ').append(Double.isNaN(avg) ? "-" : String.format(Locale.ROOT, "%.1f", avg)).append(" |\n");
        }
        if (anyMissing()) {
            b.append("\nAvg. is over the datasets with a score; MME enters it as total / 2800 · 100.\n");
        } else {
            b.append("\nMME enters Avg. as total / 2800 · 100.\n");
        }
        return b.toString();
    }

    /** The same numbers, unrounded, as CSV rows (empty cells for missing, "needs judge" kept as text). */
    public List<List<String>> csvRows() {
        List<List<String>> rows = new ArrayList<>();
        for (String model : byModel.keySet()) {
            List<String> row = new ArrayList<>();
            row.add(model);
            for (String d : datasets) {
                ScoreResult r = byModel.get(model).get(d);
                row.add(r == null ? "" : r.needsJudge() ? ScoreResult.NEEDS_JUDGE : PyFloat.repr(shown(r)));
            }
            row.add(PyFloat.repr(average(model)));
            rows.add(row);
        }
        return rows;
    }

    public List<String> csvColumns() {
        List<String> header = new ArrayList<>();
        header.add("Model");
        header.addAll(datasets);
        header.add("Avg.");
        return header;
    }

    /** Writes {@code stem.md} and {@code stem.csv} (atomically). */
    public void write(Path dir, String stem) {
        AtomicFiles.writeString(dir.resolve(stem + ".md"), toMarkdown());
        TableWriter.writeCsv(dir.resolve(stem + ".csv"), csvColumns(), csvRows());
    }
}
