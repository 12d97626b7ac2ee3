package io.moslora.eval.human;

import java.nio.file.Path;
import java.util.List;

/** A validated vote file: one rater, exactly one vote per pair and criterion of the key. */
public record RaterVotes(Path file, String rater, List<Vote> votes) {}
