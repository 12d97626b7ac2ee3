package io.moslora.eval.extract;

import io.moslora.eval.judge.Judge;
import io.moslora.eval.judge.JudgePrompts;
import io.moslora.eval.text.PyText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * VLMEvalKit's {@code extract_answer_from_item}: the option letter a prediction means — by {@link ChoiceInference}
 * first, then (only with a judge) by asking the judge up to three times. Without a judge an undecidable answer is
 * "Z" (wrong). When the judge never gives a usable letter, the reference picks a random option; we do the same
 * with a seeded generator so reruns agree.
 */
public final class OptionMatcher {
    private static final int JUDGE_TRIES = 3;

    private final Judge judge;
    private final Random random;

    /** @param judge the judge, or null for exact matching only */
    public OptionMatcher(Judge judge, long seed) {
        this.judge = judge;
        this.random = new Random(seed);
    }

    public boolean hasJudge() {
        return judge != null;
    }

    public String match(String question, Map<String, String> choices, String prediction) {
        Optional<String> direct = ChoiceInference.infer(prediction, choices);
        if (direct.isPresent()) {
            return direct.get();
        }
        if (judge == null) {
            return ChoiceInference.NONE;
        }
        String options = JudgePrompts.optionList(choices);
        String prompt = PyText.hasChinese(question)
                ? JudgePrompts.optionMatchChinese(question, options, prediction)
                : JudgePrompts.optionMatch(question, options, prediction);
        for (int i = 0; i < JUDGE_TRIES; i++) {
            String out = judge.generate(prompt, 0);
            if (out.contains(ChoiceInference.API_FAILURE)) {
                continue;
            }
            Optional<String> letter = ChoiceInference.infer(out, choices);
            if (letter.isPresent()) {
                return letter.get();
            }
        }
        List<String> candidates = new ArrayList<>(choices.keySet());
        if (!choices.containsKey(ChoiceInference.NONE)) {
            candidates.add(ChoiceInference.NONE);
        }
        return candidates.get(random.nextInt(candidates.size()));
    }
}
