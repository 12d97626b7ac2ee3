package io.moslora.eval.data;

/** How a benchmark is scored; each kind is one of VLMEvalKit's evaluation paths. */
public enum DatasetKind {
    /** Multiple choice, plain accuracy (SEED-Bench, AI2D, ScienceQA, custom MCQ sets). */
    MCQ("_acc"),
    /** Multiple choice with CircularEval: every rotated copy of a question must be right (MMBench, CCBench). */
    CIRCULAR("_acc"),
    /** Yes/no questions (MME and other Y/N sets). */
    YORN("_score"),
    /** Open answers scored against human answers (TextVQA soft accuracy, custom VQA sets). */
    VQA("_acc"),
    /** Open answers that only a judge model can grade (MathVista). */
    MATHVISTA("_score"),
    /** Open answers that only a judge model can grade (MM-Vet). */
    MMVET("_score");

    private final String scoreSuffix;

    DatasetKind(String scoreSuffix) {
        this.scoreSuffix = scoreSuffix;
    }

    /** The suffix VLMEvalKit gives the score file it writes beside the predictions. */
    public String scoreSuffix() {
        return scoreSuffix;
    }

    public boolean isMultipleChoice() {
        return this == MCQ || this == CIRCULAR;
    }

    public boolean needsJudge() {
        return this == MATHVISTA || this == MMVET;
    }
}
