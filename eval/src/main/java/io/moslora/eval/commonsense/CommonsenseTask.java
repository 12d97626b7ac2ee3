package io.moslora.eval.commonsense;

import io.moslora.cli.UserError;
import io.moslora.eval.text.PyText;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The eight commonsense benchmarks of LLM-Adapters (the paper's Tables 1, 3, 4) and how an answer is read from a
 * model's output: the first occurrence of one of the answer words, case-sensitive; no match is "" (wrong).
 */
public enum CommonsenseTask {
    BOOLQ("boolq", "BoolQ", "true|false"),
    PIQA("piqa", "PIQA", "solution1|solution2"),
    SOCIAL_I_QA("social_i_qa", "SIQA", "answer1|answer2|answer3|answer4|answer5"),
    HELLASWAG("hellaswag", "HellaSwag", "ending1|ending2|ending3|ending4"),
    WINOGRANDE("winogrande", "WinoGrande", "option1|option2"),
    ARC_CHALLENGE("ARC-Challenge", "ARC-c", "answer1|answer2|answer3|answer4|answer5"),
    ARC_EASY("ARC-Easy", "ARC-e", "answer1|answer2|answer3|answer4|answer5"),
    OPENBOOKQA("openbookqa", "OBQA", "answer1|answer2|answer3|answer4|answer5");

    private final String folder;
    private final String shortName;
    private final Pattern answerWords;

    CommonsenseTask(String folder, String shortName, String answerWords) {
        this.folder = folder;
        this.shortName = shortName;
        this.answerWords = Pattern.compile(answerWords);
    }

    /** The dataset folder name in LLM-Adapters ({@code dataset/<folder>/test.json}). */
    public String folder() {
        return folder;
    }

    /** The column name the paper's tables use. */
    public String shortName() {
        return shortName;
    }

    /** LLM-Adapters' {@code extract_answer}. */
    public String extract(String output) {
        Matcher m = answerWords.matcher(PyText.strip(output));
        return m.find() ? m.group() : "";
    }

    /** A task from its folder name, short name or enum name, any case. */
    public static CommonsenseTask fromName(String name, String context) {
        for (CommonsenseTask t : values()) {
            if (t.folder.equalsIgnoreCase(name) || t.shortName.equalsIgnoreCase(name)
                    || t.name().equalsIgnoreCase(name.replace('-', '_'))) {
                return t;
            }
        }
        throw new UserError(context + ": unknown commonsense dataset '" + name + "'; use one of boolq, piqa, "
                + "social_i_qa, hellaswag, winogrande, ARC-Challenge, ARC-Easy, openbookqa (or pass --name)");
    }

    /** The task of a data file: its folder ({@code dataset/boolq/test.json}) or its file stem ({@code boolq.json}). */
    public static CommonsenseTask ofFile(java.nio.file.Path file) {
        String stem = file.getFileName().toString().replaceFirst("\\.[^.]+$", "");
        java.nio.file.Path parent = file.toAbsolutePath().getParent();
        for (String candidate : new String[] {stem, parent == null ? "" : parent.getFileName().toString()}) {
            for (CommonsenseTask t : values()) {
                if (t.folder.toLowerCase(Locale.ROOT).equals(candidate.toLowerCase(Locale.ROOT))) {
                    return t;
                }
            }
        }
        return fromName(stem, file.toString());
    }
}
