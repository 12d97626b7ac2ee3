package io.moslora.eval.run;

import io.moslora.eval.data.PredictionFile;
import io.moslora.eval.data.Predictions;
import io.moslora.eval.data.VlmDataset;
import io.moslora.eval.judge.Judge;
import io.moslora.eval.model.VisionLanguageModel;
import io.moslora.eval.prompt.Prompt;
import io.moslora.eval.prompt.PromptBuilder;
import io.moslora.eval.score.ScoreResult;
import io.moslora.eval.score.Scorer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * The inference loop of {@code eval run} for one dataset: ask the model every question, save the predictions as
 * {@code {work}/{model}/{model}_{dataset}.xlsx} (VLMEvalKit's layout) every few answers and at the end — always
 * atomically — then score them and write the score file beside them. With {@code reuse}, answers already in the
 * prediction file are kept and not recomputed.
 *
 * @param workDir root of the outputs; each model gets its own folder, as in VLMEvalKit
 * @param reuse keep the answers of an existing prediction file
 * @param limit score only the first questions (null: all)
 * @param saveEvery how many new answers between two saves of the prediction file
 * @param progress where the progress bar is drawn (null: none)
 */
public record EvalRunner(Path workDir, boolean reuse, Integer limit, PromptBuilder.Style style, Judge judge,
        int saveEvery, PrintStream progress) {

    public Path predictionFile(VisionLanguageModel model, VlmDataset data) {
        return workDir.resolve(model.name()).resolve(PredictionFile.fileName(model.name(), data.name()));
    }

    public ScoreResult run(VisionLanguageModel model, VlmDataset full) {
        VlmDataset data = limit == null ? full : full.head(limit);
        Path file = predictionFile(model, data);
        Map<String, String> answers = new LinkedHashMap<>();
        if (reuse && Files.isRegularFile(file)) {
            Predictions old = Predictions.read(file);
            for (String idx : data.indexes()) {
                if (old.has(idx)) {
                    answers.put(idx, old.of(idx));
                }
            }
        }
        int todo = data.size() - answers.size();
        int sinceSave = 0;
        int before = answers.size();
        try (ProgressBar bar = progressBar(data.name(), todo)) {
            for (int r = 0; r < data.size(); r++) {
                String idx = data.index(r);
                if (answers.containsKey(idx)) {
                    continue;
                }
                Prompt prompt = PromptBuilder.build(data, r, style);
                answers.put(idx, model.generate(data.images(r), prompt.text(), prompt.settings()));
                if (bar != null) {
                    bar.step();
                }
                if (++sinceSave >= saveEvery) {
                    PredictionFile.write(file, data, answers);
                    sinceSave = 0;
                }
            }
        } catch (RuntimeException e) {
            // a broken row (say, an image that does not decode) stops the run: keep what was answered so far
            if (answers.size() > before) {
                PredictionFile.write(file, data, answers);
            }
            throw e;
        }
        if (todo > 0 || !Files.isRegularFile(file)) {
            PredictionFile.write(file, data, answers);
        }
        ScoreResult result = Scorer.score(data, Predictions.of(file, answers), judge);
        Scorer.writeScoreFile(file, result);
        return result;
    }

    private ProgressBar progressBar(String task, int max) {
        if (progress == null || max == 0) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max)
                .setConsumer(new ConsoleProgressBarConsumer(progress)).build();
    }
}
