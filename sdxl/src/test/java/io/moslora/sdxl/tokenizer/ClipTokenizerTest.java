package io.moslora.sdxl.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moslora.cli.UserError;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden ids are CLIP's published ones: shared/data/README.md ("hello", "hello world!", "Hi there"), and ids that
 * other CLIP tokenizer ports pin in their tests against OpenAI's / Hugging Face's tokenizer (cited per case).
 */
class ClipTokenizerTest {
    private static ClipTokenizer clip;
    private static ClipTokenizer clip2;

    @BeforeAll
    static void load() {
        clip = ClipTokenizer.sdxlTokenizer();
        clip2 = ClipTokenizer.sdxlTokenizer2();
    }

    @Test
    void vocabularyHasClipsSizeAndSpecialIds() {
        assertThat(clip.vocabSize()).isEqualTo(49408);
        assertThat(clip.startId()).isEqualTo(49406);
        assertThat(clip.endId()).isEqualTo(49407);
        assertThat(clip.padId()).isEqualTo(49407);
        assertThat(clip2.padId()).isEqualTo(0);
        // id 0 is the byte '!', id 256 is "!</w>", id 512 the first merge "i n"
        assertThat(clip.idOf("!")).isEqualTo(0);
        assertThat(clip.idOf("!</w>")).isEqualTo(256);
        assertThat(clip.idOf("in")).isEqualTo(512);
    }

    @Test
    void publishedIdsFromTheSharedDataReadme() {
        assertThat(clip.encode("hello")).containsExactly(3306);
        assertThat(clip.encode("hello world!")).containsExactly(3306, 1002, 256);
        assertThat(withSpecials("Hi there")).containsExactly(49406, 1883, 997, 49407);
    }

    @Test
    void idsPinnedByOtherClipPorts() {
        // "a photo of a cat" / "a photo of a dog": the ids OpenAI's clip.tokenize gives (pinned by many ports)
        assertThat(withSpecials("a photo of a cat")).containsExactly(49406, 320, 1125, 539, 320, 2368, 49407);
        assertThat(withSpecials("a photo of a dog")).containsExactly(49406, 320, 1125, 539, 320, 1929, 49407);
        assertThat(withSpecials("Hello, world!")).containsExactly(49406, 3306, 267, 1002, 256, 49407);
        assertThat(withSpecials("the black dog")).containsExactly(49406, 518, 1449, 1929, 49407);
        // Apple's ml-stable-diffusion Swift tokenizer test
        assertThat(withSpecials("a photo of an astronaut riding a horse on mars"))
                .containsExactly(49406, 320, 1125, 539, 550, 18376, 6765, 320, 4558, 525, 7496, 49407);
        assertThat(withSpecials("Apple CoreML developer tools on a Macbook Air are fast"))
                .containsExactly(49406, 3055, 19622, 5780, 10929, 5771, 525, 320, 20617, 1922, 631, 1953, 49407);
        assertThat(withSpecials("People applauding at a conference"))
                .containsExactly(49406, 1047, 24713, 796, 536, 320, 2230, 49407);
    }

    @Test
    void caseSpacingContractionsDigitsAndPunctuation() {
        // lower-casing and whitespace collapse; "!" alone is id 256
        assertThat(withSpecials("A PHOTO of  a Cat!")).containsExactly(49406, 320, 1125, 539, 320, 2368, 256, 49407);
        // "don't" splits as "don" + "'t"; each digit is its own pre-token
        assertThat(withSpecials("don't stop 42 times"))
                .containsExactly(49406, 847, 713, 1691, 275, 273, 1661, 49407);
        assertThat(withSpecials("hello-world, 3.14 (test)"))
                .containsExactly(49406, 3306, 268, 1002, 267, 274, 269, 272, 275, 263, 1628, 264, 49407);
        assertThat(withSpecials("  spaced   out  ")).containsExactly(49406, 10336, 538, 620, 49407);
        // non-ASCII letters go through UTF-8 bytes and the byte map
        assertThat(withSpecials("caf\u00e9 \u00fcber na\u00efve"))
                .containsExactly(49406, 15304, 6522, 1516, 1097, 35689, 563, 49407);
        assertThat(withSpecials("cafe uber naive")).containsExactly(49406, 4979, 10668, 43362, 49407);
    }

    @Test
    void cleanupUnescapesHtmlAndFixesQuotesAndWidth() {
        assertThat(clip.encode("don&#39;t")).containsExactly(clip.encode("don't"));
        assertThat(clip.encode("don\u2019t")).containsExactly(clip.encode("don't"));
        assertThat(clip.encode("fish &amp;amp; chips")).containsExactly(clip.encode("fish & chips"));
        assertThat(clip.encode("\uff28\uff49 there")).containsExactly(clip.encode("hi there"));
        assertThat(clip.encode("a\u00a0photo\tof\na cat")).containsExactly(clip.encode("a photo of a cat"));
        assertThat(clip.encode("   ")).isEmpty();
    }

    @Test
    void paddingDiffersBetweenTheTwoSdxlTokenizers() {
        ClipTokens one = clip.encodeForModel("a photo of a cat");
        ClipTokens two = clip2.encodeForModel("a photo of a cat");
        assertThat(one.ids()).hasSize(77);
        assertThat(one.eosIndex()).isEqualTo(6);
        assertThat(Arrays.copyOfRange(one.ids(), 0, 7)).containsExactly(Arrays.copyOfRange(two.ids(), 0, 7));
        assertThat(Arrays.copyOfRange(one.ids(), 7, 77)).containsOnly(49407);
        assertThat(Arrays.copyOfRange(two.ids(), 7, 77)).containsOnly(0);
        assertThat(clip.encodeForModel("").ids()[0]).isEqualTo(49406);
        assertThat(clip.encodeForModel("").eosIndex()).isEqualTo(1);
    }

    @Test
    void longPromptsKeep75ContentTokensAndTheEndToken() {
        String prompt = String.join(" ", java.util.Collections.nCopies(200, "cat"));
        ClipTokens t = clip2.encodeForModel(prompt);
        int[] ids = t.ids();
        assertThat(ids).hasSize(77);
        assertThat(ids[0]).isEqualTo(49406);
        assertThat(Arrays.copyOfRange(ids, 1, 76)).containsOnly(2368);
        assertThat(ids[76]).isEqualTo(49407);
        assertThat(t.eosIndex()).isEqualTo(76);
        assertThat(t.length()).isEqualTo(77);
    }

    @Test
    void decodeInvertsEncodeOnCleanText() {
        String text = "a café on the beach, 1999 — don't panic!";
        assertThat(clip.decode(clip.encode(text))).isEqualTo("a café on the beach , 1 9 9 9 — don 't panic ! ");
        assertThat(clip.decode(new int[] {49406, 3306, 49407})).isEqualTo("<|startoftext|>hello <|endoftext|>");
    }

    @Test
    void hfFolderWithVocabJsonAndMergesTxtGivesTheSameIds(@TempDir Path dir) throws Exception {
        // Write the HF files from the merges list the way HF's conversion lays them out, then read them back.
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var vocab = mapper.createObjectNode();
        for (int id = 0; id < clip.vocabSize(); id++) {
            vocab.put(clip.decodeToken(id), id);
        }
        Files.writeString(dir.resolve("vocab.json"), mapper.writeValueAsString(vocab), StandardCharsets.UTF_8);
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(
                io.moslora.io.SharedData.require(ClipTokenizer.SHARED_BPE)))) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            IntStream.rangeClosed(1, ClipTokenizer.MERGES_USED).forEach(i -> merges.append(lines[i]).append('\n'));
        }
        Files.writeString(dir.resolve("merges.txt"), merges, StandardCharsets.UTF_8);
        // SDXL's tokenizer_2 config: pad "!" given as an added-token object
        Files.writeString(dir.resolve("special_tokens_map.json"),
                "{\"bos_token\":\"<|startoftext|>\",\"eos_token\":\"<|endoftext|>\","
                        + "\"pad_token\":{\"content\":\"!\",\"lstrip\":false},\"unk_token\":\"<|endoftext|>\"}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 77}");

        ClipTokenizer hf = ClipTokenizer.fromHfFolder(dir);
        assertThat(hf.padId()).isEqualTo(0);
        assertThat(hf.vocabSize()).isEqualTo(49408);
        for (String text : new String[] {"hello world!", "a photo of an astronaut riding a horse on mars",
                "caf\u00e9 \u00fcber na\u00efve"}) {
            assertThat(hf.encodeForModel(text).ids()).containsExactly(
                    clip2.encodeForModel(text).ids());
        }
    }

    @Test
    void brokenTokenizerFilesNameTheFile(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ClipTokenizer.fromHfFolder(dir))
                .isInstanceOf(UserError.class).hasMessageContaining("vocab.json");
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"<|startoftext|>\": 1, \"<|endoftext|>\": 2}");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b c\n");
        assertThatThrownBy(() -> ClipTokenizer.fromHfFolder(dir))
                .isInstanceOf(UserError.class).hasMessageContaining("merges.txt").hasMessageContaining("line 2");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na </w>\n");
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"pad_token\": \"<pad>\"}");
        assertThatThrownBy(() -> ClipTokenizer.fromHfFolder(dir))
                .isInstanceOf(UserError.class).hasMessageContaining("<pad>");
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"pad_token\": ");
        assertThatThrownBy(() -> ClipTokenizer.fromHfFolder(dir))
                .isInstanceOf(UserError.class).hasMessageContaining("special_tokens_map.json");
    }

    private static int[] withSpecials(String text) {
        ClipTokens t = clip.encodeForModel(text);
        return Arrays.copyOfRange(t.ids(), 0, t.length());
    }
}
