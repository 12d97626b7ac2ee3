package io.moslora.eval.human;

/** A vote un-blinded, from system A's point of view against system B. */
public enum Outcome {
    WIN,
    TIE,
    LOSS
}
