package io.moslora.eval.cli;

import io.moslora.eval.data.DataFolder;
import io.moslora.eval.data.VlmDataset;
import io.moslora.eval.model.VisionLanguageModel;
import io.moslora.eval.model.VisionLanguageModelProvider;
import io.moslora.eval.prompt.PromptBuilder;
import io.moslora.eval.report.RadarChartWriter;
import io.moslora.eval.report.SummaryTable;
import io.moslora.eval.run.EvalRunner;
import io.moslora.eval.score.ScoreResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code moslora eval run}: inference + scoring on VLMEvalKit benchmarks, then a Table-5 style summary. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {"Run a model on VLMEvalKit benchmarks, write {model}_{dataset}.xlsx predictions and their "
                + "score files, and end with a summary table (Markdown + CSV) and per-category radar charts."})
public final class RunCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "Model folder")
    Path model;

    @Option(names = "--adapter", description = "Adapter folder (LoRA/MoSLoRA) applied to the model")
    Path adapter;

    @Option(names = "--data", required = true, description = "Dataset name (NAME.tsv in the data folder) or TSV file;"
            + " repeat for several")
    List<String> data;

    @Option(names = "--data-dir", description = "Data folder (default: $LMUData, else ~/LMUData)")
    Path dataDir;

    @Option(names = "--work-dir", defaultValue = "outputs", description = "Output root (default: ${DEFAULT-VALUE})")
    Path workDir;

    @Option(names = "--reuse", description = "Keep answers already in an existing prediction file")
    boolean reuse;

    @Option(names = "--limit", description = "Only the first N questions of each dataset")
    Integer limit;

    @Option(names = "--prompt-style", defaultValue = "XTUNER",
            description = "Prompt rules of VLMEvalKit's ${COMPLETION-CANDIDATES} wrapper (default: ${DEFAULT-VALUE})")
    PromptBuilder.Style style;

    @Mixin
    JudgeOptions judgeOptions;

    @Override
    public void run() {
        if (limit != null && limit < 1) {
            throw new io.moslora.cli.UserError("--limit: must be at least 1, was " + limit);
        }
        List<VlmDataset> datasets = data.stream().map(d -> VlmDataset.load(DataFolder.resolve(d, dataDir))).toList();
        VisionLanguageModel m = VisionLanguageModelProvider.load(model, adapter);
        PrintWriter out = spec.commandLine().getOut();
        runAll(m, datasets, new EvalRunner(workDir, reuse, limit, style, judgeOptions.judge(), 20, System.err), out);
    }

    /** Runs every dataset, then writes the summary and the radar charts; shared with tests. */
    public static SummaryTable runAll(VisionLanguageModel m, List<VlmDataset> datasets, EvalRunner runner,
            PrintWriter out) {
        SummaryTable summary = new SummaryTable();
        Path modelDir = runner.workDir().resolve(m.name());
        for (VlmDataset d : datasets) {
            ScoreResult r = runner.run(m, d);
            summary.add(m.name(), r);
            ScoreCommand.printText(out, r, null);
            if (r.categories().size() >= 3) {
                RadarChartWriter.write(modelDir.resolve(m.name() + "_" + d.name() + "_radar.png"),
                        m.name() + " on " + d.name(), Map.of(m.name(), r.categories()));
            }
        }
        summary.write(modelDir, m.name() + "_summary");
        out.println();
        out.print(summary.toMarkdown());
        out.flush();
        return summary;
    }
}
