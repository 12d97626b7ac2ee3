package io.moslora.eval.human;

/** One rater's un-blinded answer to one criterion for one pair. */
public record Vote(String rater, BlindedPair pair, String criterion, Outcome outcome) {}
