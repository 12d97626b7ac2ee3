package io.moslora.sdxl.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.cli.UserError;
import io.moslora.io.SharedData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * CLIP's byte-level BPE tokenizer, as OpenAI CLIP's {@code simple_tokenizer} and Hugging Face's
 * {@code CLIPTokenizer} define it; both SDXL text encoders use it, differing only in the padding id
 * ({@code tokenizer} pads with {@code <|endoftext|>}, {@code tokenizer_2} with {@code "!"}, id 0).
 *
 * <p>Immutable and thread-safe. Build it from CLIP's gzipped merges list ({@link #fromBpeMerges}) or from a
 * checkpoint's tokenizer folder ({@link #fromHfFolder}).
 */
public final class ClipTokenizer {
    public static final String START_OF_TEXT = "<|startoftext|>";
    public static final String END_OF_TEXT = "<|endoftext|>";
    /** CLIP's context length: start token, up to 75 content tokens, end token. */
    public static final int CONTEXT_LENGTH = 77;
    /** CLIP keeps the first 48,894 merges of its list: vocabulary 49,152 − 256 bytes − 2 special tokens. */
    public static final int MERGES_USED = 49152 - 256 - 2;
    /** Where the merges list lives in the shared data folder. */
    public static final String SHARED_BPE = "clip-bpe/bpe_simple_vocab_16e6.txt.gz";

    /** Special tokens, contractions, letter runs, single digits, runs of other non-space characters. */
    private static final Pattern PRE_TOKENIZER = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

    private static final int CACHE_LIMIT = 100_000;

    private final Map<String, Integer> encoder;
    private final String[] decoder;
    private final Map<String, Integer> mergeRanks;
    private final int startId;
    private final int endId;
    private final int padId;
    private final int unkId;
    private final int maxLength;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private ClipTokenizer(Map<String, Integer> encoder, Map<String, Integer> mergeRanks, String padToken,
            String unkToken, int maxLength, String source) {
        this.encoder = Map.copyOf(encoder);
        this.mergeRanks = Map.copyOf(mergeRanks);
        int size = encoder.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        this.decoder = new String[size];
        encoder.forEach((token, id) -> decoder[id] = token);
        this.startId = require(encoder, START_OF_TEXT, source);
        this.endId = require(encoder, END_OF_TEXT, source);
        this.padId = require(encoder, padToken, source);
        this.unkId = require(encoder, unkToken, source);
        if (maxLength < 2) {
            throw new UserError(source + ": model_max_length " + maxLength + " leaves no room for start and end tokens");
        }
        this.maxLength = maxLength;
    }

    private static int require(Map<String, Integer> encoder, String token, String source) {
        Integer id = encoder.get(token);
        if (id == null) {
            throw new UserError(source + ": token \"" + token + "\" is not in the vocabulary; check the tokenizer files");
        }
        return id;
    }

    // ------------------------------------------------------------------ construction

    /** SDXL's first tokenizer (CLIP ViT-L): pads with {@code <|endoftext|>} (49407). */
    public static ClipTokenizer sdxlTokenizer() {
        return fromBpeMerges(SharedData.require(SHARED_BPE), END_OF_TEXT);
    }

    /** SDXL's second tokenizer (OpenCLIP bigG): pads with {@code "!"} (id 0), as OpenCLIP pads with zeros. */
    public static ClipTokenizer sdxlTokenizer2() {
        return fromBpeMerges(SharedData.require(SHARED_BPE), "!");
    }

    /**
     * From CLIP's gzipped merges list ({@code bpe_simple_vocab_16e6.txt.gz}): the vocabulary is the 256 byte
     * characters, the same with {@code </w>}, one token per merge, then the start and end tokens.
     */
    public static ClipTokenizer fromBpeMerges(Path gzFile, String padToken) {
        List<String[]> merges;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gzFile))) {
            merges = parseMerges(new String(in.readAllBytes(), StandardCharsets.UTF_8), gzFile);
        } catch (IOException e) {
            throw new UserError(gzFile + ": cannot read the gzipped CLIP merges list (" + e.getMessage() + ")", e);
        }
        Map<String, Integer> vocab = new HashMap<>();
        String[] bytes = ByteUnicodeMap.alphabet();
        for (String b : bytes) {
            vocab.put(b, vocab.size());
        }
        for (String b : bytes) {
            vocab.put(b + "</w>", vocab.size());
        }
        for (String[] merge : merges) {
            vocab.put(merge[0] + merge[1], vocab.size());
        }
        vocab.put(START_OF_TEXT, vocab.size());
        vocab.put(END_OF_TEXT, vocab.size());
        return new ClipTokenizer(vocab, ranks(merges), padToken, END_OF_TEXT, CONTEXT_LENGTH, gzFile.toString());
    }

    /**
     * From a Hugging Face tokenizer folder ({@code vocab.json}, {@code merges.txt}, and optionally
     * {@code special_tokens_map.json} / {@code tokenizer_config.json} for the pad token and model_max_length).
     */
    public static ClipTokenizer fromHfFolder(Path dir) {
        ObjectMapper json = new ObjectMapper();
        Path vocabFile = dir.resolve("vocab.json");
        Path mergesFile = dir.resolve("merges.txt");
        Map<String, Integer> vocab = new HashMap<>();
        JsonNode root = readJson(json, vocabFile, true);
        if (!root.isObject()) {
            throw new UserError(vocabFile + ": expected a JSON object mapping tokens to ids");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw new UserError(vocabFile + ": token \"" + e.getKey() + "\" has id " + e.getValue()
                        + "; ids must be non-negative integers");
            }
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        List<String[]> merges;
        try {
            merges = parseMerges(Files.readString(mergesFile, StandardCharsets.UTF_8).strip(), mergesFile);
        } catch (IOException e) {
            throw new UserError(mergesFile + ": cannot read (" + e.getMessage() + ")", e);
        }
        String pad = END_OF_TEXT;
        String unk = END_OF_TEXT;
        int maxLength = CONTEXT_LENGTH;
        for (String name : new String[] {"tokenizer_config.json", "special_tokens_map.json"}) {
            JsonNode cfg = readJson(json, dir.resolve(name), false);
            if (cfg == null) {
                continue;
            }
            pad = tokenText(cfg.get("pad_token"), pad);
            unk = tokenText(cfg.get("unk_token"), unk);
            JsonNode max = cfg.get("model_max_length");
            if (max != null && max.canConvertToInt() && max.asInt() <= 100_000) {
                maxLength = max.asInt();
            }
        }
        return new ClipTokenizer(vocab, ranks(merges), pad, unk, maxLength, dir.toString());
    }

    /** A special token is written either as a string or as {@code {"content": "..."}}. */
    private static String tokenText(JsonNode node, String fallback) {
        if (node == null || node.isNull()) {
            return fallback;
        }
        return node.isTextual() ? node.asText() : node.path("content").asText(fallback);
    }

    private static JsonNode readJson(ObjectMapper json, Path file, boolean required) {
        if (!Files.exists(file)) {
            if (required) {
                throw new UserError(file + ": not found; a CLIP tokenizer folder needs vocab.json and merges.txt");
            }
            return null;
        }
        try {
            return json.readTree(file.toFile());
        } catch (IOException e) {
            throw new UserError(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
    }

    /** Lines 1..48894 after the {@code #version} header, each "left right", as CLIP and HF both slice them. */
    private static List<String[]> parseMerges(String text, Path file) {
        String[] lines = text.split("\n", -1);
        int end = Math.min(lines.length, MERGES_USED + 1);
        List<String[]> merges = new ArrayList<>(Math.max(0, end - 1));
        for (int i = 1; i < end; i++) {
            String[] parts = lines[i].trim().split("\\s+");
            if (parts.length != 2) {
                throw new UserError(file + ": merges line " + (i + 1) + " \"" + lines[i]
                        + "\" is not two tokens separated by a space");
            }
            merges.add(parts);
        }
        return merges;
    }

    private static Map<String, Integer> ranks(List<String[]> merges) {
        Map<String, Integer> ranks = new HashMap<>();
        for (int i = 0; i < merges.size(); i++) {
            ranks.putIfAbsent(pairKey(merges.get(i)[0], merges.get(i)[1]), i);
        }
        return ranks;
    }

    /** A separator that cannot occur in a mapped token (spaces are mapped to U+0120). */
    private static String pairKey(String left, String right) {
        return left + ' ' + right;
    }

    // ------------------------------------------------------------------ encoding

    /** Content ids of a text, without start/end tokens and without truncation. */
    public int[] encode(String text) {
        String clean = ClipTextCleaner.clean(text);
        List<int[]> pieces = new ArrayList<>();
        int total = 0;
        Matcher m = PRE_TOKENIZER.matcher(clean);
        while (m.find()) {
            int[] ids = bpeIds(m.group());
            pieces.add(ids);
            total += ids.length;
        }
        int[] out = new int[total];
        int at = 0;
        for (int[] ids : pieces) {
            System.arraycopy(ids, 0, out, at, ids.length);
            at += ids.length;
        }
        return out;
    }

    /**
     * What a text encoder takes: start token, the first {@code maxLength - 2} content ids, end token, then the
     * pad id up to {@code maxLength} (HF's {@code padding="max_length", truncation=True}).
     */
    public ClipTokens encodeForModel(String text) {
        int[] content = encode(text);
        int kept = Math.min(content.length, maxLength - 2);
        int[] ids = new int[maxLength];
        Arrays.fill(ids, padId);
        ids[0] = startId;
        System.arraycopy(content, 0, ids, 1, kept);
        ids[kept + 1] = endId;
        return new ClipTokens(ids, kept + 1);
    }

    /** Text of ids: byte characters back to UTF-8, {@code </w>} back to a space (as CLIP's decode). */
    public String decode(int[] ids) {
        StringBuilder mapped = new StringBuilder();
        for (int id : ids) {
            mapped.append(decodeToken(id));
        }
        String text = mapped.toString().replace("</w>", " ");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int b = c == ' ' ? ' ' : ByteUnicodeMap.byteOf(c);
            if (b >= 0) {
                bytes.write(b);
            } else {
                // special tokens are spelled in plain characters
                out.append(bytes.toString(StandardCharsets.UTF_8));
                bytes.reset();
                out.append(c);
            }
        }
        out.append(bytes.toString(StandardCharsets.UTF_8));
        return out.toString();
    }

    /** Ids of one pre-token: its UTF-8 bytes as mapped characters, merged by BPE, looked up. */
    private int[] bpeIds(String preToken) {
        int[] cached = cache.get(preToken);
        if (cached != null) {
            return cached;
        }
        int[] ids;
        if (preToken.equals(START_OF_TEXT) || preToken.equals(END_OF_TEXT)) {
            ids = new int[] {encoder.get(preToken)};
        } else {
            List<String> parts = bpe(ByteUnicodeMap.encode(preToken.getBytes(StandardCharsets.UTF_8)));
            ids = new int[parts.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = encoder.getOrDefault(parts.get(i), unkId);
            }
        }
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(preToken, ids);
        return ids;
    }

    /** Greedy BPE: repeatedly merge every occurrence of the lowest-ranked adjacent pair, as CLIP does. */
    private List<String> bpe(String mapped) {
        List<String> word = new ArrayList<>(mapped.length());
        for (int i = 0; i < mapped.length(); i++) {
            word.add(String.valueOf(mapped.charAt(i)));
        }
        int last = word.size() - 1;
        word.set(last, word.get(last) + "</w>");
        while (word.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer rank = mergeRanks.get(pairKey(word.get(i), word.get(i + 1)));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            List<String> merged = new ArrayList<>(word.size());
            for (int i = 0; i < word.size(); ) {
                if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i += 2;
                } else {
                    merged.add(word.get(i));
                    i += 1;
                }
            }
            word = merged;
        }
        return word;
    }

    // ------------------------------------------------------------------ facts

    public int startId() {
        return startId;
    }

    public int endId() {
        return endId;
    }

    public int padId() {
        return padId;
    }

    public int maxLength() {
        return maxLength;
    }

    /** Number of ids (49,408 for CLIP). */
    public int vocabSize() {
        return decoder.length;
    }

    /** The vocabulary entry of an id, spelled in byte characters (e.g. {@code "cat</w>"}). */
    public String decodeToken(int id) {
        if (id < 0 || id >= decoder.length || decoder[id] == null) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary");
        }
        return decoder[id];
    }

    /** The id of a vocabulary entry (a token spelled in byte characters, e.g. {@code "cat</w>"}), or -1. */
    public int idOf(String token) {
        return encoder.getOrDefault(token, -1);
    }
}
