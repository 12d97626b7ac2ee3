package io.moslora.llava.model;

import java.util.List;

/**
 * One training or chat sample as the data pipeline makes it: token ids with {@link LlavaModel#IMAGE_TOKEN_INDEX}
 * (−200) where an image goes, labels of the same length ({@code -100} for what is not learned; null when only
 * logits are wanted), and one normalised image {@code float[C·H·W]} (channel-major) per −200 placeholder, in order.
 */
public record LlavaSample(long[] ids, long[] labels, List<float[]> images) {
    public LlavaSample {
        if (labels != null && labels.length != ids.length) {
            throw new IllegalArgumentException("labels have " + labels.length + " entries but ids have " + ids.length);
        }
        images = images == null ? List.of() : List.copyOf(images);
    }

    /** A text-only sample. */
    public static LlavaSample text(long[] ids, long[] labels) {
        return new LlavaSample(ids, labels, List.of());
    }

    /** How many image placeholders the ids hold. */
    public int placeholders() {
        int n = 0;
        for (long id : ids) {
            if (id == LlavaModel.IMAGE_TOKEN_INDEX) {
                n++;
            }
        }
        return n;
    }
}
