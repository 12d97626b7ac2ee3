package io.moslora.llava.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.cli.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of a Hugging Face {@code tokenizer_config.json} we use: special token strings, the {@code legacy}
 * flag of Llama SentencePiece tokenizers, added tokens and the Jinja {@code chat_template}.
 */
public record TokenizerConfig(
        Optional<String> bosToken,
        Optional<String> eosToken,
        Optional<String> padToken,
        Optional<Boolean> legacy,
        Optional<Boolean> addBosToken,
        Map<Integer, String> addedTokens,
        Optional<String> chatTemplate,
        Path file) {

    public static final String FILE_NAME = "tokenizer_config.json";

    /** The config beside a tokenizer file, if there is one. */
    public static Optional<TokenizerConfig> besides(Path tokenizerFile) {
        Path dir = tokenizerFile.toAbsolutePath().getParent();
        Path cfg = dir == null ? null : dir.resolve(FILE_NAME);
        return cfg != null && Files.isRegularFile(cfg) ? Optional.of(read(cfg)) : Optional.empty();
    }

    public static TokenizerConfig read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UserError(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (root == null || !root.isObject()) {
            throw new UserError(file + ": expected a JSON object");
        }
        Map<Integer, String> added = new LinkedHashMap<>();
        JsonNode dec = root.path("added_tokens_decoder");
        dec.fields().forEachRemaining(e -> {
            try {
                added.put(Integer.parseInt(e.getKey()), e.getValue().path("content").asText());
            } catch (NumberFormatException ex) {
                throw new UserError(file + ": added_tokens_decoder key '" + e.getKey() + "' is not a token id");
            }
        });
        JsonNode tpl = root.get("chat_template");
        Optional<String> template = Optional.empty();
        if (tpl != null && tpl.isTextual()) {
            template = Optional.of(tpl.asText());
        } else if (tpl != null && tpl.isArray()) { // [{name, template}, ...]: the "default" one
            for (JsonNode t : tpl) {
                if ("default".equals(t.path("name").asText())) {
                    template = Optional.of(t.path("template").asText());
                }
            }
        }
        return new TokenizerConfig(token(root, "bos_token"), token(root, "eos_token"), token(root, "pad_token"),
                bool(root, "legacy"), bool(root, "add_bos_token"), Map.copyOf(added), template, file);
    }

    /** Special tokens are either a string or an AddedToken object with {@code content}. */
    private static Optional<String> token(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        return Optional.of(n.isTextual() ? n.asText() : n.path("content").asText());
    }

    private static Optional<Boolean> bool(JsonNode root, String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asBoolean());
    }
}
