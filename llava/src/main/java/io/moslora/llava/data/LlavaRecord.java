package io.moslora.llava.data;

import io.moslora.llava.tokenizer.ImageTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One sample of a LLaVA instruction file ({@code llava_v1_5_mix665k.json} format): {@code id}, an optional
 * {@code image} path relative to the image folder, and the {@code conversations}.
 */
public record LlavaRecord(String id, Optional<String> image, List<Turn> conversations) {
    public LlavaRecord {
        conversations = List.copyOf(conversations);
    }

    public boolean hasImage() {
        return image.isPresent();
    }

    /**
     * The turns as LLaVA trains on them: in a sample with an image, a human turn that mentions {@code <image>}
     * has it removed and put in front as {@code "<image>\n" + text} (LLaVA's {@code preprocess_multimodal}).
     */
    public List<Turn> trainingTurns() {
        if (!hasImage()) {
            return conversations;
        }
        List<Turn> out = new ArrayList<>();
        for (Turn t : conversations) {
            String v = t.text();
            if (v.contains(ImageTokens.IMAGE_PLACEHOLDER)) {
                v = (ImageTokens.IMAGE_PLACEHOLDER + "\n" + v.replace(ImageTokens.IMAGE_PLACEHOLDER, "").strip()).strip();
            }
            out.add(new Turn(t.role(), v));
        }
        return out;
    }
}
