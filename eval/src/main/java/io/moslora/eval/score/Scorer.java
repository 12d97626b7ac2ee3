package io.moslora.eval.score;

import io.moslora.eval.data.Predictions;
import io.moslora.eval.data.TableWriter;
import io.moslora.eval.data.VlmDataset;
import io.moslora.eval.extract.OptionMatcher;
import io.moslora.eval.judge.Judge;
import io.moslora.eval.judge.JudgeClient;
import io.moslora.eval.metric.MathVistaEvaluation;
import io.moslora.eval.metric.McqEvaluation;
import io.moslora.eval.metric.MmVetEvaluation;
import io.moslora.eval.metric.VqaEvaluation;
import io.moslora.eval.metric.YesNoEvaluation;
import java.nio.file.Path;

/**
 * Scores a prediction file against its dataset with the evaluation its kind calls for, and writes the score file
 * where VLMEvalKit writes it: beside the predictions, named after them ({@code X.xlsx} → {@code X_acc.csv}).
 */
public final class Scorer {
    /** Seed for the judge fallback's random pick (VLMEvalKit's is unseeded; ours is reproducible). */
    private static final long MATCH_SEED = 0;
    /** VLMEvalKit builds MathVista's judge with max_tokens=128 (MM-Vet's with 2048, the default). */
    private static final int MATHVISTA_JUDGE_TOKENS = 128;

    private Scorer() {}

    /** @param judge the judge model, or null to score without one (judge-only sets then report "needs judge") */
    public static ScoreResult score(VlmDataset data, Predictions predictions, Judge judge) {
        predictions.requireCovers(data);
        return switch (data.kind()) {
            case MCQ -> McqEvaluation.vanilla(data, predictions, new OptionMatcher(judge, MATCH_SEED));
            case CIRCULAR -> McqEvaluation.circular(data, predictions, new OptionMatcher(judge, MATCH_SEED));
            case YORN -> YesNoEvaluation.evaluate(data, predictions, judge);
            case VQA -> VqaEvaluation.evaluate(data, predictions);
            case MATHVISTA -> MathVistaEvaluation.evaluate(data, predictions,
                    judge instanceof JudgeClient c ? c.withMaxTokens(MATHVISTA_JUDGE_TOKENS) : judge);
            case MMVET -> MmVetEvaluation.evaluate(data, predictions, judge);
        };
    }

    /** The score file for a prediction file, e.g. {@code m_MME.xlsx} → {@code m_MME_score.csv}; null if none. */
    public static Path scoreFile(Path predictionFile, ScoreResult result) {
        if (result.scoreFileSuffix() == null) {
            return null;
        }
        String name = predictionFile.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return predictionFile.resolveSibling(stem + result.scoreFileSuffix() + ".csv");
    }

    /** Writes the result's score table beside the predictions (atomically); returns the path, or null. */
    public static Path writeScoreFile(Path predictionFile, ScoreResult result) {
        Path target = scoreFile(predictionFile, result);
        if (target != null) {
            TableWriter.writeCsv(target, result.csvColumns(), result.csvRows());
        }
        return target;
    }
}
