package io.moslora.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.moslora.cli.UserError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed access to the fields of one JSON object of a config file. Every read names the field, so a wrong type
 * becomes a one-line {@link UserError} such as {@code config.json: field hidden_size: expected an integer, got
 * "abc"}. The reader remembers which fields were read: the rest are the config's {@code extra} fields, kept and
 * ignored as the Python libraries keep unknown keys.
 *
 * <p>Python semantics: a field that is absent takes the library default; a field that is present with
 * {@code null} is {@code None}, which only the {@code optional...} readers accept.
 */
final class ConfigFields {
    private final JsonNode object;
    private final Path file;
    private final String prefix;
    private final Set<String> read = new HashSet<>();

    ConfigFields(JsonNode object, Path file, String prefix) {
        this.object = object;
        this.file = file;
        this.prefix = prefix;
    }

    /** Reads the top level of {@code file}; it must be a JSON object. */
    static ConfigFields top(JsonNode root, Path file) {
        if (root == null || !root.isObject()) {
            throw new UserError(file + ": expected a JSON object at the top level, got " + describe(root));
        }
        return new ConfigFields(root, file, "");
    }

    Path file() {
        return file;
    }

    boolean has(String name) {
        return object.has(name);
    }

    /** Present and not null. */
    boolean given(String name) {
        JsonNode n = object.get(name);
        return n != null && !n.isNull();
    }

    /** Marks {@code name} as known without reading it (a field the library accepts and ignores). */
    void ignore(String name) {
        read.add(name);
    }

    JsonNode node(String name) {
        read.add(name);
        return object.get(name);
    }

    int integer(String name, int dflt) {
        JsonNode n = node(name);
        return n == null ? dflt : asInt(name, n);
    }

    Integer optionalInteger(String name, Integer dflt) {
        JsonNode n = node(name);
        if (n == null) return dflt;
        return n.isNull() ? null : asInt(name, n);
    }

    double real(String name, double dflt) {
        JsonNode n = node(name);
        return n == null ? dflt : asReal(name, n);
    }

    Double optionalReal(String name, Double dflt) {
        JsonNode n = node(name);
        if (n == null) return dflt;
        return n.isNull() ? null : asReal(name, n);
    }

    boolean bool(String name, boolean dflt) {
        JsonNode n = node(name);
        return n == null ? dflt : asBool(name, n);
    }

    Boolean optionalBool(String name, Boolean dflt) {
        JsonNode n = node(name);
        if (n == null) return dflt;
        return n.isNull() ? null : asBool(name, n);
    }

    String string(String name, String dflt) {
        JsonNode n = node(name);
        return n == null ? dflt : asString(name, n);
    }

    String optionalString(String name, String dflt) {
        JsonNode n = node(name);
        if (n == null) return dflt;
        return n.isNull() ? null : asString(name, n);
    }

    List<String> strings(String name, List<String> dflt) {
        JsonNode n = node(name);
        if (n == null) return dflt;
        if (!n.isArray()) throw typeError(name, "a list of strings", n);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) out.add(asString(name + "[" + i + "]", n.get(i)));
        return List.copyOf(out);
    }

    /** {@code null} or absent gives {@code dflt}; used for optional lists such as {@code architectures}. */
    List<String> optionalStrings(String name) {
        JsonNode n = object.get(name);
        if (n == null || n.isNull()) {
            read.add(name);
            return List.of();
        }
        return strings(name, List.of());
    }

    List<Integer> integers(String name, List<Integer> dflt) {
        JsonNode n = node(name);
        if (n == null) return dflt;
        if (!n.isArray()) throw typeError(name, "a list of integers", n);
        return intList(name, n);
    }

    List<Double> optionalReals(String name) {
        JsonNode n = node(name);
        if (n == null || n.isNull()) return null;
        if (!n.isArray()) throw typeError(name, "a list of numbers", n);
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) out.add(asReal(name + "[" + i + "]", n.get(i)));
        return List.copyOf(out);
    }

    /**
     * An integer or a list of integers (Python's {@code int | tuple[int]}), as a list; a single integer gives a
     * one-element list. Absent gives {@code dflt}; null gives null.
     */
    List<Integer> intOrIntList(String name, List<Integer> dflt) {
        JsonNode n = node(name);
        if (n == null) return dflt;
        if (n.isNull()) return null;
        if (n.isArray()) return intList(name, n);
        if (isInteger(n)) return List.of(n.intValue());
        throw typeError(name, "an integer or a list of integers", n);
    }

    /** A boolean or a list of booleans, as a list (a single boolean gives a one-element list). */
    List<Boolean> boolOrBoolList(String name, List<Boolean> dflt) {
        JsonNode n = node(name);
        if (n == null) return dflt;
        if (n.isBoolean()) return List.of(n.booleanValue());
        if (!n.isArray()) throw typeError(name, "a boolean or a list of booleans", n);
        List<Boolean> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) out.add(asBool(name + "[" + i + "]", n.get(i)));
        return List.copyOf(out);
    }

    /** A nested object; absent or null gives null. */
    ConfigFields optionalObject(String name) {
        JsonNode n = node(name);
        if (n == null || n.isNull()) return null;
        if (!n.isObject()) throw typeError(name, "an object", n);
        return new ConfigFields(n, file, path(name) + ".");
    }

    /** The fields nobody read, in file order. */
    Map<String, JsonNode> extra() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!read.contains(e.getKey())) out.put(e.getKey(), e.getValue().deepCopy());
        }
        return Collections.unmodifiableMap(out);
    }

    /** A one-line error about field {@code name} of this object. */
    UserError error(String name, String problem) {
        return new UserError(file + ": field " + path(name) + ": " + problem);
    }

    UserError typeError(String name, String expected, JsonNode got) {
        return error(name, "expected " + expected + ", got " + describe(got));
    }

    private String path(String name) {
        return prefix + name;
    }

    private List<Integer> intList(String name, JsonNode n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) out.add(asInt(name + "[" + i + "]", n.get(i)));
        return List.copyOf(out);
    }

    private static boolean isInteger(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToInt();
    }

    private int asInt(String name, JsonNode n) {
        if (isInteger(n)) return n.intValue();
        // Python's json keeps 4096.0 a float; models reject it, so do we, but say what was meant.
        if (n.isIntegralNumber()) throw error(name, "integer " + n + " is out of range");
        throw typeError(name, "an integer", n);
    }

    private double asReal(String name, JsonNode n) {
        if (n.isNumber()) return n.doubleValue();
        throw typeError(name, "a number", n);
    }

    private boolean asBool(String name, JsonNode n) {
        if (n.isBoolean()) return n.booleanValue();
        throw typeError(name, "true or false", n);
    }

    private String asString(String name, JsonNode n) {
        if (n.isTextual()) return n.textValue();
        throw typeError(name, "a string", n);
    }

    /** The value as it appears in JSON, shortened so the message stays one readable line. */
    static String describe(JsonNode n) {
        if (n == null) return "nothing";
        String s = n.toString().replace('\n', ' ');
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
