package io.moslora.eval.human;

/** Where an image sits on the rater's screen. */
public enum Side {
    LEFT,
    RIGHT;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public Side other() {
        return this == LEFT ? RIGHT : LEFT;
    }
}
