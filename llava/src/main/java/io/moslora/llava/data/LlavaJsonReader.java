package io.moslora.llava.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.cli.UserError;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a LLaVA instruction JSON array one record at a time (the 665k file is large). A malformed record is
 * reported with its index and id, never dropped silently; a file that is not a JSON array is a user error.
 */
public final class LlavaJsonReader {
    /** The well-formed records, their positions in the JSON array, and the malformed ones. */
    public record Result(List<LlavaRecord> records, List<Integer> positions, List<BadSample> malformed) {}

    private LlavaJsonReader() {}

    public static Result read(Path file) {
        ObjectMapper mapper = new ObjectMapper();
        List<LlavaRecord> ok = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        List<BadSample> bad = new ArrayList<>();
        try (JsonParser p = mapper.getFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new UserError(file + ": expected a JSON array of records (llava_v1_5_mix665k.json format)");
            }
            int index = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() == null) {
                    throw new UserError(file + ": the JSON array ends early after record " + (index - 1));
                }
                JsonNode node = mapper.readTree(p);
                try {
                    ok.add(parse(node, index));
                    positions.add(index);
                } catch (Malformed m) {
                    bad.add(new BadSample(index, idOf(node, index), m.getMessage()));
                }
                index++;
            }
        } catch (IOException e) {
            throw new UserError(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        return new Result(ok, positions, bad);
    }

    private static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    private static String idOf(JsonNode node, int index) {
        JsonNode id = node == null ? null : node.get("id");
        return id != null && (id.isTextual() || id.isNumber()) ? id.asText() : "#" + index;
    }

    static LlavaRecord parse(JsonNode node, int index) throws Malformed {
        if (node == null || !node.isObject()) {
            throw new Malformed("not a JSON object");
        }
        String id = idOf(node, index);
        if (!node.has("id")) {
            throw new Malformed("field 'id' is missing");
        }
        Optional<String> image = Optional.empty();
        JsonNode img = node.get("image");
        if (img != null && !img.isNull()) {
            if (!img.isTextual() || img.asText().isBlank()) {
                throw new Malformed("field 'image' must be a non-empty path string");
            }
            image = Optional.of(img.asText());
        }
        JsonNode conv = node.get("conversations");
        if (conv == null || !conv.isArray() || conv.isEmpty()) {
            throw new Malformed("field 'conversations' must be a non-empty array");
        }
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < conv.size(); i++) {
            JsonNode t = conv.get(i);
            String from = t.path("from").asText("");
            Turn.Role role = switch (from) {
                case "human" -> Turn.Role.HUMAN;
                case "gpt" -> Turn.Role.GPT;
                default -> throw new Malformed("conversations[" + i + "].from is '" + from + "', expected human or gpt");
            };
            Turn.Role expected = i % 2 == 0 ? Turn.Role.HUMAN : Turn.Role.GPT;
            if (role != expected) {
                throw new Malformed("conversations[" + i + "] is from " + from + "; turns must alternate human, gpt");
            }
            JsonNode v = t.get("value");
            if (v == null || !v.isTextual()) {
                throw new Malformed("conversations[" + i + "].value must be a string");
            }
            turns.add(new Turn(role, v.asText()));
        }
        if (turns.size() % 2 != 0) {
            throw new Malformed("conversations ends with a human turn; every question needs a gpt answer");
        }
        return new LlavaRecord(id, image, turns);
    }
}
