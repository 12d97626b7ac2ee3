package io.moslora.eval.prompt;

import io.moslora.eval.data.DatasetKind;
import io.moslora.eval.data.VlmDataset;
import io.moslora.eval.model.GenerationSettings;
import io.moslora.eval.text.PyText;
import java.util.List;
import java.util.Map;

/**
 * Builds the question text for a benchmark row as VLMEvalKit's LLaVA and XTuner-LLaVA wrappers do (pure functions).
 * Multiple choice: hint, question, one "X. option" line per option, then the instruction to answer with the letter
 * (Chinese instruction when the text has Chinese). Yes/no and judge-scored sets: the question as is. TextVQA-style
 * sets: the question plus "Answer the question using a single word or phrase.".
 */
public final class PromptBuilder {
    public static final String MCQ_INSTRUCTION = "Answer with the option's letter from the given choices directly.";
    public static final String MCQ_INSTRUCTION_CN = "请直接回答选项字母。";
    /** LLaVA wrapper, multiple-choice row without options. */
    public static final String DIRECT_INSTRUCTION = "Answer the question directly.";
    public static final String DIRECT_INSTRUCTION_CN = "请直接回答问题。";
    public static final String SHORT_VQA_INSTRUCTION = "Answer the question using a single word or phrase.";
    public static final String YES_NO_INSTRUCTION = "Please answer yes or no.";

    /** Which VLMEvalKit wrapper's rules to follow; they differ only for multiple-choice rows without options. */
    public enum Style {
        /** {@code vlmeval/vlm/llava/llava.py} (LLaVA-1.5). */
        LLAVA,
        /** {@code vlmeval/vlm/llava/llava_xtuner.py} (XTuner's LLaVA, used for the paper's models). */
        XTUNER
    }

    /** VQA sets whose VLMEvalKit dataset class appends the short-answer instruction. */
    private static final List<String> SHORT_ANSWER_VQA = List.of("TextVQA", "OCRVQA", "DocVQA", "InfoVQA",
            "ChartQA", "GQA");

    private PromptBuilder() {}

    public static Prompt build(VlmDataset data, int row, Style style) {
        DatasetKind kind = data.kind();
        if (kind.isMultipleChoice()) {
            return new Prompt(multipleChoice(data.hint(row), data.question(row), data.options(row), style),
                    GenerationSettings.SHORT_ANSWER);
        }
        String question = data.question(row);
        if (kind == DatasetKind.YORN) {
            String text = data.name().equals("AMBER") ? question + "\n" + YES_NO_INSTRUCTION : question;
            return new Prompt(text, GenerationSettings.SHORT_ANSWER);
        }
        if (kind == DatasetKind.VQA && SHORT_ANSWER_VQA.stream().anyMatch(data.name()::contains)) {
            return new Prompt(question + "\n" + SHORT_VQA_INSTRUCTION, GenerationSettings.OPEN_ANSWER);
        }
        return new Prompt(question, GenerationSettings.OPEN_ANSWER);
    }

    /** The multiple-choice text: {@code [hint\n]question\nA. ...\nB. ...\n<instruction>}. */
    public static String multipleChoice(String hint, String question, Map<String, String> options, Style style) {
        StringBuilder q = new StringBuilder();
        if (hint != null) {
            q.append(hint).append('\n');
        }
        q.append(question);
        options.forEach((letter, text) -> q.append('\n').append(letter).append(". ").append(text));
        boolean chinese = PyText.hasChinese(q.toString());
        if (options.isEmpty() && style == Style.LLAVA) {
            return q + "\n" + (chinese ? DIRECT_INSTRUCTION_CN : DIRECT_INSTRUCTION);
        }
        return q + "\n" + (chinese ? MCQ_INSTRUCTION_CN : MCQ_INSTRUCTION);
    }
}
