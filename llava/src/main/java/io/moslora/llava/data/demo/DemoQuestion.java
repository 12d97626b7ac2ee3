package io.moslora.llava.data.demo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** A question about a {@link ShapeScene} with a one-word answer and three wrong options for the MCQ form. */
public record DemoQuestion(Category category, String question, String answer, List<String> options) {

    public enum Category { COLOUR, SHAPE, COUNT, POSITION;
        public String word() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /** LLaVA-1.5's instruction for multiple-choice answers. */
    public static final String MCQ_SUFFIX = "Answer with the option's letter from the given choices directly.";
    public static final String SHORT_SUFFIX = "Answer the question using a single word or phrase.";

    public static DemoQuestion ask(ShapeScene s, Category c) {
        return switch (c) {
            case COLOUR -> new DemoQuestion(c, s.count() == 1 ? "What colour is the shape?" : "What colour are the shapes?",
                    s.colour().word(), words(ShapeScene.Palette.values()));
            case SHAPE -> new DemoQuestion(c, s.count() == 1 ? "What shape is it?" : "What shape are they?",
                    s.kind().word(), List.of("circle", "square", "triangle", "star"));
            case COUNT -> new DemoQuestion(c, "How many " + s.kind().plural() + " are there?",
                    Integer.toString(s.count()), List.of("1", "2", "3", "4"));
            case POSITION -> new DemoQuestion(c, s.count() == 1 ? "Is the shape on the left or the right?"
                    : "Are the shapes on the left or the right?", s.side().word(), List.of("left", "right", "top", "bottom"));
        };
    }

    private static List<String> words(ShapeScene.Palette[] values) {
        List<String> out = new ArrayList<>();
        for (ShapeScene.Palette p : values) {
            out.add(p.word());
        }
        return out;
    }

    /** The four options in a seeded random order; the answer is always among them. */
    public List<String> shuffledOptions(Random rnd) {
        List<String> o = new ArrayList<>(options);
        Collections.shuffle(o, rnd);
        return List.copyOf(o);
    }

    /** The LLaVA-1.5 style multiple-choice prompt for the given option order. */
    public String mcqPrompt(List<String> order) {
        StringBuilder sb = new StringBuilder(question);
        for (int i = 0; i < order.size(); i++) {
            sb.append('\n').append((char) ('A' + i)).append(". ").append(order.get(i));
        }
        return sb.append('\n').append(MCQ_SUFFIX).toString();
    }

    public static String letter(List<String> order, String answer) {
        return String.valueOf((char) ('A' + order.indexOf(answer)));
    }
}
