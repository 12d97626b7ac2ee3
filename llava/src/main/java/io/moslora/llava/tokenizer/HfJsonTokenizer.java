package io.moslora.llava.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.cli.UserError;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A Hugging Face {@code tokenizer.json} run by DJL's bundled Rust tokenizers (works offline). */
public final class HfJsonTokenizer implements TextTokenizer {
    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> vocab;
    private final int bos;
    private final int eos;
    private final int pad;

    private HfJsonTokenizer(HuggingFaceTokenizer tokenizer, Map<String, Integer> vocab, int bos, int eos, int pad) {
        this.tokenizer = tokenizer;
        this.vocab = vocab;
        this.bos = bos;
        this.eos = eos;
        this.pad = pad;
    }

    public static HfJsonTokenizer load(Path file) {
        Map<String, Integer> vocab = new HashMap<>();
        try {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            root.path("model").path("vocab").fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
            for (JsonNode t : root.path("added_tokens")) {
                vocab.put(t.path("content").asText(), t.path("id").asInt());
            }
        } catch (IOException e) {
            throw new UserError(file + ": not a readable tokenizer.json (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (vocab.isEmpty()) {
            throw new UserError(file + ": field model.vocab is missing or empty; is this a Hugging Face tokenizer.json?");
        }
        HuggingFaceTokenizer hf;
        try {
            // No truncation or padding: sequence length is the data pipeline's business (max_length).
            hf = HuggingFaceTokenizer.newInstance(file, Map.of("truncation", "false", "padding", "false"));
        } catch (IOException | RuntimeException e) {
            throw new UserError(file + ": DJL tokenizers cannot load it (" + e.getMessage() + ")");
        }
        Optional<TokenizerConfig> cfg = TokenizerConfig.besides(file);
        int bos = special(vocab, cfg.flatMap(TokenizerConfig::bosToken), List.of("<|begin_of_text|>", "<s>", "<bos>"));
        int eos = special(vocab, cfg.flatMap(TokenizerConfig::eosToken),
                List.of("<|end_of_text|>", "</s>", "<eos>", "<|endoftext|>"));
        int pad = special(vocab, cfg.flatMap(TokenizerConfig::padToken), List.of("<pad>"));
        return new HfJsonTokenizer(hf, Map.copyOf(vocab), bos, eos, pad);
    }

    /** The configured token, else the first well-known name the vocabulary has, else -1. */
    private static int special(Map<String, Integer> vocab, Optional<String> configured, List<String> knownNames) {
        if (configured.isPresent()) {
            return vocab.getOrDefault(configured.get(), -1);
        }
        return knownNames.stream().filter(vocab::containsKey).map(vocab::get).findFirst().orElse(-1);
    }

    @Override
    public int[] encode(String text) {
        return toInts(tokenizer.encode(text, false, false).getIds());
    }

    @Override
    public int[] encodeWithBos(String text) {
        // The post-processor of tokenizer.json decides (Llama-3 adds <|begin_of_text|>).
        return toInts(tokenizer.encode(text, true, false).getIds());
    }

    @Override
    public String decode(int[] ids, boolean skipSpecial) {
        long[] l = Arrays.stream(ids).filter(i -> i >= 0).asLongStream().toArray();
        return tokenizer.decode(l, skipSpecial);
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public int bosId() {
        return bos;
    }

    @Override
    public int eosId() {
        return eos;
    }

    @Override
    public int padId() {
        return pad;
    }

    @Override
    public int tokenId(String token) {
        return vocab.getOrDefault(token, -1);
    }

    @Override
    public int vocabSize() {
        return vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
