package io.moslora.llava.data;

/**
 * One training example: ids with -200 where the image goes, labels (-100 where not learned) and the CLIP pixel
 * values (CHW). Text-only samples carry a zero image and {@code hasImage=false}, as LLaVA does.
 */
public record SupervisedSample(String id, int[] inputIds, int[] labels, float[] pixels, boolean hasImage) {}
