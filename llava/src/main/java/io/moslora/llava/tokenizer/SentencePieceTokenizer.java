package io.moslora.llava.tokenizer;

import ai.djl.sentencepiece.SpProcessor;
import ai.djl.sentencepiece.SpTokenizer;
import io.moslora.cli.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * A SentencePiece {@code tokenizer.model} (Llama-2 / Vicuna, InternLM2) run by DJL's bundled native library,
 * behaving like Hugging Face's slow {@code LlamaTokenizer}: special-token strings in the text are split out
 * first and become their ids; each remaining chunk is encoded by SentencePiece. With {@code legacy=false}
 * (from {@code tokenizer_config.json}) a chunk that follows a special token gets no dummy-prefix space.
 */
public final class SentencePieceTokenizer implements TextTokenizer {
    private final SpTokenizer sp;
    private final SpProcessor processor;
    private final SentencePieceModel model;
    private final Map<String, Integer> specials; // strings split out of the text before SentencePiece sees it
    private final List<String> specialsLongestFirst;
    private final boolean legacy;
    private final boolean addBos;
    private final int bos;
    private final int eos;
    private final int pad;
    private final int unkPrefixLength;

    private SentencePieceTokenizer(SpTokenizer sp, SentencePieceModel model, Optional<TokenizerConfig> cfg) {
        this.sp = sp;
        this.processor = sp.getProcessor();
        this.model = model;
        Map<String, Integer> sp2 = new HashMap<>();
        for (int i = 0; i < model.pieces().size(); i++) {
            SentencePieceModel.Piece p = model.pieces().get(i);
            if (p.type() == SentencePieceModel.Type.CONTROL || p.type() == SentencePieceModel.Type.UNKNOWN) {
                sp2.put(p.text(), i);
            }
        }
        cfg.ifPresent(c -> c.addedTokens().forEach((id, s) -> sp2.put(s, id)));
        this.specials = Map.copyOf(sp2);
        this.specialsLongestFirst = sp2.keySet().stream().filter(s -> !s.isEmpty())
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
        this.legacy = cfg.flatMap(TokenizerConfig::legacy).orElse(true);
        this.addBos = cfg.flatMap(TokenizerConfig::addBosToken).orElse(true);
        this.bos = cfg.flatMap(TokenizerConfig::bosToken).map(this::tokenId).orElse(tokenId("<s>"));
        this.eos = cfg.flatMap(TokenizerConfig::eosToken).map(this::tokenId).orElse(tokenId("</s>"));
        this.pad = cfg.flatMap(TokenizerConfig::padToken).map(this::tokenId).orElse(-1);
        this.unkPrefixLength = processor.encode(model.pieces().get(unkIndex(model)).text()).length;
    }

    public static SentencePieceTokenizer load(Path file) {
        return load(file, TokenizerConfig.besides(file));
    }

    public static SentencePieceTokenizer load(Path file, Optional<TokenizerConfig> config) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + ")");
        }
        SentencePieceModel model = SentencePieceModel.parse(bytes, file);
        SpTokenizer sp;
        try {
            sp = new SpTokenizer(bytes);
        } catch (RuntimeException e) {
            throw new UserError(file + ": SentencePiece cannot load it (" + e.getMessage() + ")");
        }
        return new SentencePieceTokenizer(sp, model, config);
    }

    private static int unkIndex(SentencePieceModel model) {
        return IntStream.range(0, model.pieces().size())
                .filter(i -> model.pieces().get(i).type() == SentencePieceModel.Type.UNKNOWN).findFirst().orElse(0);
    }

    @Override
    public boolean legacy() {
        return legacy;
    }

    @Override
    public int[] encode(String text) {
        List<Integer> out = new ArrayList<>();
        int start = 0;
        boolean afterSpecial = false;
        int i = 0;
        while (i < text.length()) {
            String match = specialAt(text, i);
            if (match == null) {
                i++;
                continue;
            }
            encodeChunk(text.substring(start, i), afterSpecial, out);
            out.add(specials.get(match));
            i += match.length();
            start = i;
            afterSpecial = true;
        }
        encodeChunk(text.substring(start), afterSpecial, out);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private String specialAt(String text, int i) {
        for (String s : specialsLongestFirst) {
            if (text.startsWith(s, i)) {
                return s;
            }
        }
        return null;
    }

    private void encodeChunk(String chunk, boolean afterSpecial, List<Integer> out) {
        if (chunk.isEmpty()) {
            return;
        }
        int[] ids;
        if (afterSpecial && !legacy) {
            // Hugging Face's non-legacy trick: encode behind the unknown piece, then drop it, so no dummy prefix.
            String unk = model.pieces().get(unkIndex(model)).text();
            int[] all = processor.encode(unk + chunk);
            ids = Arrays.copyOfRange(all, unkPrefixLength, all.length);
        } else {
            ids = processor.encode(chunk);
        }
        for (int id : ids) {
            out.add(id);
        }
    }

    @Override
    public int[] encodeWithBos(String text) {
        int[] body = encode(text);
        if (!addBos || bos < 0) {
            return body;
        }
        int[] out = new int[body.length + 1];
        out[0] = bos;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    /**
     * Decoded from the piece table rather than by DJL, whose JNI string conversion breaks characters outside
     * the Basic Multilingual Plane (emoji from byte-fallback pieces).
     */
    @Override
    public String decode(int[] ids, boolean skipSpecial) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        boolean first = true;
        for (int id : ids) {
            if (id < 0 || id >= model.pieces().size()) {
                continue;
            }
            SentencePieceModel.Piece p = model.pieces().get(id);
            switch (p.type()) {
                case CONTROL, UNKNOWN -> {
                    if (!skipSpecial) {
                        bytes.writeBytes(p.text().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
                case BYTE -> bytes.write(Integer.parseInt(p.text().substring(3, 5), 16));
                default -> {
                    String text = p.text().replace('\u2581', ' ');
                    if (first && text.startsWith(" ")) {
                        text = text.substring(1); // the dummy prefix SentencePiece added when encoding
                    }
                    bytes.writeBytes(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            if (p.type() != SentencePieceModel.Type.CONTROL) {
                first = false;
            }
        }
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
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
        Integer s = specials.get(token);
        if (s != null) {
            return s;
        }
        int id = processor.getId(token);
        // SentencePiece answers the unknown id for anything it lacks; only the real "<unk>" string maps there.
        return id == unkIndex(model) && !token.equals(model.pieces().get(id).text()) ? -1 : id;
    }

    @Override
    public int vocabSize() {
        return model.pieces().size();
    }

    @Override
    public void close() {
        sp.close();
    }
}
