package io.moslora.eval.commonsense;

import java.util.List;

/**
 * Accuracy on one commonsense dataset as LLM-Adapters counts it: the extracted answer word equals the label.
 *
 * @param correct questions answered right
 * @param total questions
 */
public record CommonsenseScore(CommonsenseTask task, int correct, int total) {

    public static CommonsenseScore of(CommonsenseTask task, List<CommonsenseData.Item> items, List<String> outputs) {
        int correct = 0;
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).answer().equals(task.extract(outputs.get(i)))) {
                correct++;
            }
        }
        return new CommonsenseScore(task, correct, items.size());
    }

    /** Accuracy in percent. */
    public double percent() {
        return total == 0 ? Double.NaN : 100.0 * correct / total;
    }

    /** The plain mean of per-dataset accuracies, the "Avg." column of the paper's Table 4. */
    public static double average(List<CommonsenseScore> scores) {
        return scores.stream().mapToDouble(CommonsenseScore::percent).average().orElse(Double.NaN);
    }
}
