package io.moslora.eval.prompt;

import io.moslora.eval.model.GenerationSettings;

/** The text a model is asked for one benchmark row, and how long its answer may be. */
public record Prompt(String text, GenerationSettings settings) {}
