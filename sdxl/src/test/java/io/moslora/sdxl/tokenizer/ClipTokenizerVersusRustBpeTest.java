package io.moslora.sdxl.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moslora.io.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test: Hugging Face's Rust {@code tokenizers} library, configured the way HF's CLIP
 * {@code tokenizer.json} is (split on CLIP's pattern keeping the matches, byte-level alphabet, BPE with
 * {@code </w>} word ends), must give the same ids as our BPE on 1,500 random texts — letters, digits,
 * punctuation, contractions, accents, Greek, Cyrillic, CJK and emoji.
 */
class ClipTokenizerVersusRustBpeTest {
    private static final String PATTERN =
            "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

    @Test
    void sameIdsAsHuggingFacesRustBpeOnRandomTexts(@TempDir Path dir) throws Exception {
        ClipTokenizer clip = ClipTokenizer.sdxlTokenizer();
        Path json = dir.resolve("tokenizer.json");
        Files.writeString(json, clipTokenizerJson(clip), StandardCharsets.UTF_8);
        try (HuggingFaceTokenizer rust = HuggingFaceTokenizer.builder().optTokenizerPath(json)
                .optAddSpecialTokens(false).optTruncation(false).optPadding(false).build()) {
            Random random = new Random(20240607);
            String[] pieces = {"a", "e", "i", "o", "u", "t", "n", "s", "r", "h", "l", "th", "ing", "tion", "photo",
                    "cat", "dog", "sks", "ikat", " ", " ", " ", "  ", "'s", "'t", "'ll", "don't", "0", "1", "42", "3.14",
                    "!", "?", ",", ".", "-", "(", ")", "\"", "#", "@", "&", "*", "é", "ü", "ñ", "ß", "ø", "æ", "λ",
                    "Ω", "д", "ж", "猫", "写真", "東京", "😀", "🐱", "✨", "€", "£", "°", "½", "ǆ", "ﬁ", "\u0301"};
            int compared = 0;
            for (int n = 0; n < 1500; n++) {
                StringBuilder sb = new StringBuilder();
                int len = 1 + random.nextInt(12);
                for (int k = 0; k < len; k++) {
                    sb.append(pieces[random.nextInt(pieces.length)]);
                }
                String clean = ClipTextCleaner.clean(sb.toString());
                long[] expected = rust.encode(clean).getIds();
                int[] ours = clip.encode(clean);
                assertThat(Arrays.stream(ours).asLongStream().toArray()).as("text \"%s\"", clean).containsExactly(expected);
                compared += ours.length;
            }
            assertThat(compared).isGreaterThan(5_000);
        }
    }

    /** A tokenizer.json with CLIP's pre-tokenizer and BPE, built from our vocabulary and the shared merges list. */
    private static String clipTokenizerJson(ClipTokenizer clip) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.putArray("added_tokens");
        root.putNull("normalizer"); // both sides get text already cleaned by ClipTextCleaner
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        ObjectNode split = steps.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", PATTERN);
        split.put("behavior", "Removed");
        split.put("invert", true);
        ObjectNode bytes = steps.addObject();
        bytes.put("type", "ByteLevel");
        bytes.put("add_prefix_space", false);
        bytes.put("trim_offsets", true);
        bytes.put("use_regex", false);
        root.putNull("post_processor");
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", ClipTokenizer.END_OF_TEXT);
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "</w>");
        model.put("fuse_unk", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < clip.vocabSize(); id++) {
            vocab.put(clip.decodeToken(id), id);
        }
        ArrayNode merges = model.putArray("merges");
        try (var in = new GZIPInputStream(Files.newInputStream(SharedData.require(ClipTokenizer.SHARED_BPE)))) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (int i = 1; i <= ClipTokenizer.MERGES_USED; i++) {
                merges.add(lines[i]);
            }
        }
        return mapper.writeValueAsString(root);
    }
}
