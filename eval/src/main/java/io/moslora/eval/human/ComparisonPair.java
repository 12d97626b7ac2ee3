package io.moslora.eval.human;

import java.nio.file.Path;

/** Two images generated for the same subject and prompt: one by system A, one by system B (not yet blinded). */
public record ComparisonPair(String subject, String prompt, Path imageA, Path imageB) {}
