package io.moslora.eval.human;

import java.util.Locale;

/** A rater's answer as the page records it: in terms of screen sides, never of systems. */
public enum Choice {
    LEFT,
    TIE,
    RIGHT;

    /** The choice written as {@code left}, {@code tie} or {@code right}; null for anything else. */
    public static Choice parse(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "left" -> LEFT;
            case "tie" -> TIE;
            case "right" -> RIGHT;
            default -> null;
        };
    }

    /** Un-blinds: what this choice means for system A, given the side A was shown on. */
    public Outcome forSystemA(Side sideOfA) {
        if (this == TIE) {
            return Outcome.TIE;
        }
        Side chosen = this == LEFT ? Side.LEFT : Side.RIGHT;
        return chosen == sideOfA ? Outcome.WIN : Outcome.LOSS;
    }
}
