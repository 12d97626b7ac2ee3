package io.moslora.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** Test helpers: the real config files under src/test/resources/configs, and inline JSON. */
final class Fixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {}

    static Path config(String relative) {
        try {
            return Path.of(Fixtures.class.getResource("/configs/" + relative).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing fixture " + relative, e);
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static HfConfig parse(String text) {
        return HfConfigs.parse(json(text), Path.of("config.json"));
    }
}
