package io.moslora.llava.data;

import io.moslora.cli.UserError;
import io.moslora.llava.template.ChatTemplate;
import io.moslora.llava.template.TokenizedConversation;
import io.moslora.llava.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;

/** Turns a scanned record into a {@link SupervisedSample}: template + tokenizer for the text, CLIP for the image. */
public record LlavaSampleBuilder(TextTokenizer tokenizer, ChatTemplate template, ClipImageProcessor images,
        Path imageRoot, int maxLength) {

    public SupervisedSample build(LlavaRecord r) {
        TokenizedConversation c = template.encode(r.trainingTurns(), tokenizer, maxLength, r.hasImage());
        float[] pixels;
        if (r.hasImage()) {
            Path p = imageRoot.toAbsolutePath().normalize().resolve(r.image().get()).normalize();
            try {
                pixels = images.preprocess(StrictImageReader.read(p));
            } catch (IOException e) {
                throw new UserError(p + ": image of sample id " + r.id() + " cannot be decoded (" + e.getMessage() + ")");
            }
        } else {
            pixels = new float[3 * images.size() * images.size()];
        }
        return new SupervisedSample(r.id(), c.inputIds(), c.labels(), pixels, r.hasImage());
    }

    /** Token count of a record without building it, for length grouping (images count as one id here). */
    public int length(LlavaRecord r) {
        return template.encode(r.trainingTurns(), tokenizer, maxLength, r.hasImage()).length();
    }
}
