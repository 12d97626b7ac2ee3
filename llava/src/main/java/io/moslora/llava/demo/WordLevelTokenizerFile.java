package io.moslora.llava.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moslora.io.AtomicFiles;
import io.moslora.llava.data.LlavaRecord;
import io.moslora.llava.data.Turn;
import io.moslora.llava.tokenizer.ImageTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tiny model's tokenizer: a Hugging Face {@code tokenizer.json} with a word-level vocabulary (one id per word
 * or run of punctuation, split as HF's {@code Whitespace} pre-tokenizer does), made from the training text. A
 * real BPE vocabulary would not fit a 320-row embedding; this one does, and it still loads through the same
 * {@code tokenizer.json} route (DJL's tokenizers) as every real model's.
 */
public final class WordLevelTokenizerFile {
    /** Ids 0..5: unknown, BOS, EOS (the tiny config's 1 and 2), padding, and the internlm2_chat markers. */
    public static final List<String> SPECIALS = List.of("<unk>", "<s>", "</s>", "<pad>", "<|im_start|>", "<|im_end|>");
    /** The words the internlm2_chat template adds around each turn. */
    private static final List<String> TEMPLATE_WORDS = List.of("user", "assistant");
    private static final Pattern WORD = Pattern.compile("\\w+|[^\\w\\s]+");

    private WordLevelTokenizerFile() {}

    /** Specials first, then every word of the records' turns in sorted order. */
    public static List<String> vocabulary(Collection<LlavaRecord> records) {
        TreeSet<String> words = new TreeSet<>(TEMPLATE_WORDS);
        for (LlavaRecord r : records) {
            for (Turn t : r.conversations()) {
                Matcher m = WORD.matcher(t.text().replace(ImageTokens.IMAGE_PLACEHOLDER, " "));
                while (m.find()) {
                    words.add(m.group());
                }
            }
        }
        List<String> vocab = new ArrayList<>(SPECIALS);
        words.removeAll(SPECIALS);
        vocab.addAll(words);
        return vocab;
    }

    /** Writes {@code tokenizer.json} for {@code vocab} (ids are list positions). */
    public static Path write(Path file, List<String> vocab) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < SPECIALS.size(); i++) {
            added.addObject().put("id", i).put("content", SPECIALS.get(i)).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        }
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        root.putNull("post_processor");
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode v = model.putObject("vocab");
        for (int i = 0; i < vocab.size(); i++) {
            v.put(vocab.get(i), i);
        }
        model.put("unk_token", "<unk>");
        try {
            AtomicFiles.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
