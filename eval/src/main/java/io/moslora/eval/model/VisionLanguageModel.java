package io.moslora.eval.model;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * What the evaluator needs from a model, and nothing more: answer a prompt about some images. The llava module
 * implements it (applying its own chat template, image tokens and preprocessing), so evaluation never reaches into
 * model internals. A text-only model (commonsense evaluation) is called with no images.
 */
public interface VisionLanguageModel {
    /**
     * The model's answer to {@code prompt} about {@code images} (in order; may be empty), without the prompt and
     * without special tokens, stripped of surrounding whitespace.
     */
    String generate(List<BufferedImage> images, String prompt, GenerationSettings settings);

    /** The model's name in output file names ({@code {name}_{dataset}.xlsx}): no path separators. */
    String name();
}
