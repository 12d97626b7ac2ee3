package io.moslora.eval.human;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moslora.cli.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The secret half of a study: which side system A is on in every pair. Written beside (never inside) the folder
 * raters get, and read back by scoring to un-blind the votes.
 *
 * @param study random id shared by the page, the key and every vote file, so votes of another study are refused
 */
public record StudyKey(String study, long seed, String systemA, String systemB, List<Criterion> criteria,
                       List<BlindedPair> pairs) {
    public static final String FORMAT = "moslora-human-eval-key/1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public BlindedPair pair(String id) {
        return pairs.stream().filter(p -> p.id().equals(id)).findFirst().orElse(null);
    }

    public boolean hasCriterion(String id) {
        return criteria.stream().anyMatch(c -> c.id().equals(id));
    }

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("study", study);
        root.put("seed", seed);
        ObjectNode systems = root.putObject("systems");
        systems.put("a", systemA);
        systems.put("b", systemB);
        ArrayNode crit = root.putArray("criteria");
        criteria.forEach(c -> crit.add(c.id()));
        ArrayNode list = root.putArray("pairs");
        for (BlindedPair p : pairs) {
            ObjectNode o = list.addObject();
            o.put("id", p.id());
            o.put("subject", p.pair().subject());
            o.put("prompt", p.pair().prompt());
            o.put("a", p.pair().imageA().toString());
            o.put("b", p.pair().imageB().toString());
            o.put("a_side", p.sideOfA().id());
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static StudyKey read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UserError("--key " + file + ": cannot read as JSON (" + e.getMessage().lines().findFirst()
                    .orElse("") + "); give the key.json written by 'human-eval export'");
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new UserError("--key " + file + ": field 'format' is not " + FORMAT + "; give the key.json written"
                    + " by 'human-eval export'");
        }
        String study = text(file, root, "study");
        List<Criterion> criteria = new ArrayList<>();
        for (JsonNode c : array(file, root, "criteria")) {
            criteria.add(Criterion.of(c.asText()));
        }
        List<BlindedPair> pairs = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int index = 0;
        for (JsonNode p : array(file, root, "pairs")) {
            String where = "pairs[" + index++ + "]";
            String id = text(file, p, "id", where);
            if (!ids.add(id)) {
                throw new UserError("--key " + file + ": " + where + ".id '" + id + "' appears twice; the key is"
                        + " damaged, export the study again");
            }
            String side = text(file, p, "a_side", where).toUpperCase(Locale.ROOT);
            if (!side.equals("LEFT") && !side.equals("RIGHT")) {
                throw new UserError("--key " + file + ": " + where + ".a_side must be left or right");
            }
            ComparisonPair pair = new ComparisonPair(text(file, p, "subject", where), text(file, p, "prompt", where),
                    Path.of(text(file, p, "a", where)), Path.of(text(file, p, "b", where)));
            pairs.add(new BlindedPair(id, pair, Side.valueOf(side)));
        }
        JsonNode systems = root.path("systems");
        return new StudyKey(study, root.path("seed").asLong(), systems.path("a").asText("A"),
                systems.path("b").asText("B"), List.copyOf(criteria), List.copyOf(pairs));
    }

    private static String text(Path file, JsonNode node, String field) {
        return text(file, node, field, "top level");
    }

    private static String text(Path file, JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new UserError("--key " + file + ": " + where + " field '" + field + "' is missing; give the"
                    + " key.json written by 'human-eval export'");
        }
        return v.asText();
    }

    private static JsonNode array(Path file, JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw new UserError("--key " + file + ": field '" + field + "' is missing or empty; give the key.json"
                    + " written by 'human-eval export'");
        }
        return v;
    }
}
