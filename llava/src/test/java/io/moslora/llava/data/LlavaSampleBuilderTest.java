package io.moslora.llava.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.llava.template.VicunaV1Template;
import io.moslora.llava.tokenizer.ImageTokens;
import io.moslora.llava.tokenizer.RealTokenizers;
import io.moslora.llava.tokenizer.SentencePieceTokenizer;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlavaSampleBuilderTest {
    @Test
    void imageAndTextOnlySamples(@TempDir Path dir) throws Exception {
        ImageIO.write(ClipImageProcessorTest.solid(40, 20, Color.BLUE), "png", dir.resolve("b.png").toFile());
        try (SentencePieceTokenizer tok = SentencePieceTokenizer.load(RealTokenizers.llama2Model(), Optional.empty())) {
            LlavaSampleBuilder b = new LlavaSampleBuilder(tok, new VicunaV1Template(), new ClipImageProcessor(16, true), dir, 2048);
            SupervisedSample s = b.build(new LlavaRecord("1", Optional.of("b.png"),
                    List.of(Turn.human("Colour?<image>"), Turn.gpt("Blue"))));
            assertThat(s.hasImage()).isTrue();
            assertThat(s.pixels()).hasSize(3 * 16 * 16);
            assertThat(s.pixels()[2 * 256 + 8 * 16 + 8]).isEqualTo((float) ((1 - 0.40821073) / 0.27577711));
            int at = java.util.stream.IntStream.range(0, s.inputIds().length).filter(i -> s.inputIds()[i] == ImageTokens.IMAGE_TOKEN_INDEX).findFirst().orElseThrow();
            assertThat(s.labels()[at]).isEqualTo(ImageTokens.IGNORE_INDEX);
            assertThat(s.inputIds()[at + 1]).isEqualTo(29871); // "▁" then "\n" (13): "<image>\nColour?"
            assertThat(s.inputIds()[at + 2]).isEqualTo(13);
            SupervisedSample t = b.build(new LlavaRecord("2", Optional.empty(), List.of(Turn.human("Hi"), Turn.gpt("Yo"))));
            assertThat(t.hasImage()).isFalse();
            assertThat(t.pixels()).hasSize(3 * 16 * 16).containsOnly(0f);
            assertThat(b.length(new LlavaRecord("2", Optional.empty(), List.of(Turn.human("Hi"), Turn.gpt("Yo"))))).isEqualTo(t.inputIds().length);
        }
    }
}
