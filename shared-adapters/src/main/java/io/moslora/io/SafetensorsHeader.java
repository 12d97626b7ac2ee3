package io.moslora.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated JSON header of a safetensors file: every tensor's dtype, shape and absolute byte
 * range, in file (data offset) order, plus the {@code __metadata__} string map. Parsing checks everything that
 * can be checked without reading tensor data, so a bad file fails here with one line naming what is wrong.
 * Overlapping byte ranges are refused; gaps between tensors and bytes after the last one are tolerated (the
 * Rust reference refuses those too, but they cannot make a read wrong).
 */
public record SafetensorsHeader(List<TensorInfo> tensors, Map<String, TensorInfo> byName,
        Map<String, String> metadata) {

    public static final String METADATA_KEY = "__metadata__";

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * Validates {@code headerBytes} (the JSON after the 8-byte length) against a file whose data section starts
     * at {@code dataStart} and holds {@code dataLength} bytes.
     */
    public static SafetensorsHeader parse(Path file, byte[] headerBytes, long dataStart, long dataLength) {
        JsonNode root = readJson(file, headerBytes);
        if (!root.isObject()) {
            throw new SafetensorsException(file, "header is JSON but not an object (found "
                    + root.getNodeType().toString().toLowerCase() + "); this is not a safetensors file");
        }
        Map<String, String> metadata = Map.of();
        List<TensorInfo> inHeaderOrder = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (e.getKey().equals(METADATA_KEY)) {
                metadata = readMetadata(file, e.getValue());
            } else {
                inHeaderOrder.add(readTensor(file, e.getKey(), e.getValue(), dataStart, dataLength));
            }
        }
        List<TensorInfo> inFileOrder = new ArrayList<>(inHeaderOrder);
        // stable: tensors of zero bytes that share an offset keep their header order
        inFileOrder.sort(Comparator.comparingLong(TensorInfo::begin));
        checkNoOverlap(file, inFileOrder, dataStart);
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        for (TensorInfo t : inFileOrder) {
            byName.put(t.name(), t);
        }
        return new SafetensorsHeader(Collections.unmodifiableList(inFileOrder), Collections.unmodifiableMap(byName),
                metadata);
    }

    private static JsonNode readJson(Path file, byte[] headerBytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(headerBytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(file, "header is not valid UTF-8 text; this is not a safetensors file", e);
        }
        try {
            JsonNode root = JSON.readTree(text);
            if (root == null || root.isMissingNode()) {
                throw new SafetensorsException(file, "header is empty; this is not a safetensors file");
            }
            return root;
        } catch (JsonProcessingException e) {
            long at = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
            throw new SafetensorsException(file, "header is not valid JSON" + (at >= 0 ? " (at character " + at + ")" : "")
                    + ": " + firstLine(e.getOriginalMessage()) + "; this is not a safetensors file or it is damaged", e);
        } catch (RuntimeException e) {
            // the parser's own limits (nesting, number length) must end as a user error too, never a crash
            throw new SafetensorsException(file, "header is not valid JSON: " + firstLine(String.valueOf(e.getMessage())), e);
        }
    }

    private static Map<String, String> readMetadata(Path file, JsonNode node) {
        if (node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new SafetensorsException(file, "header field __metadata__ must be an object of strings, found "
                    + kind(node));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new SafetensorsException(file, "__metadata__ entry " + SafetensorsException.quote(e.getKey())
                        + " must be a string, found " + kind(e.getValue()));
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(out);
    }

    private static TensorInfo readTensor(Path file, String name, JsonNode node, long dataStart, long dataLength) {
        String where = "tensor " + SafetensorsException.quote(name);
        if (!node.isObject()) {
            throw new SafetensorsException(file, where + " must be an object with dtype, shape and data_offsets, found "
                    + kind(node));
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new SafetensorsException(file, where + ": field dtype is " + (dtypeNode == null ? "missing"
                    : "not a string (" + kind(dtypeNode) + ")"));
        }
        DType dtype = DType.fromSafetensorsName(dtypeNode.textValue()).orElseThrow(() -> new SafetensorsException(file,
                where + ": unknown dtype " + SafetensorsException.quote(dtypeNode.textValue()) + " (supported: "
                        + DType.supportedNames() + ")"));
        long[] shape = readLongs(file, where, "shape", node.get("shape"), -1);
        long[] offsets = readLongs(file, where, "data_offsets", node.get("data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw new SafetensorsException(file, where + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        long expected;
        try {
            long numel = 1;
            for (long d : shape) {
                numel = Math.multiplyExact(numel, d);
            }
            expected = Math.multiplyExact(numel, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new SafetensorsException(file, where + ": shape " + java.util.Arrays.toString(shape)
                    + " has more elements than any file can hold");
        }
        if (expected != end - begin) {
            throw new SafetensorsException(file, where + ": shape " + java.util.Arrays.toString(shape) + " of "
                    + dtype.safetensorsName() + " needs " + expected + " bytes but data_offsets [" + begin + ", " + end
                    + "] span " + (end - begin));
        }
        if (end > dataLength) {
            throw new SafetensorsException(file, where + ": data_offsets [" + begin + ", " + end
                    + "] reach past the end of the data, which holds only " + dataLength
                    + " bytes after the header (file truncated?)");
        }
        return new TensorInfo(name, dtype, shape, dataStart + begin, dataStart + end);
    }

    /** A JSON array of non-negative integers that fit a long; {@code length} is the required size, or -1. */
    private static long[] readLongs(Path file, String where, String field, JsonNode node, int length) {
        if (node == null) {
            throw new SafetensorsException(file, where + ": field " + field + " is missing");
        }
        if (!node.isArray()) {
            throw new SafetensorsException(file, where + ": field " + field + " must be an array of integers, found "
                    + kind(node));
        }
        if (length >= 0 && node.size() != length) {
            throw new SafetensorsException(file, where + ": field " + field + " must hold exactly " + length
                    + " integers, found " + node.size());
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new SafetensorsException(file, where + ": field " + field + "[" + i + "] must be an integer, found "
                        + kind(v));
            }
            out[i] = v.longValue();
            if (out[i] < 0) {
                throw new SafetensorsException(file, where + ": field " + field + "[" + i + "] is negative (" + out[i] + ")");
            }
        }
        return out;
    }

    private static void checkNoOverlap(Path file, List<TensorInfo> inFileOrder, long dataStart) {
        TensorInfo last = null;
        for (TensorInfo t : inFileOrder) {
            if (t.byteSize() == 0) {
                continue; // an empty tensor occupies nothing, wherever it points
            }
            if (last != null && t.begin() < last.end()) {
                throw new SafetensorsException(file, "tensors " + SafetensorsException.quote(last.name()) + " [" 
                        + (last.begin() - dataStart) + ", " + (last.end() - dataStart) + "] and "
                        + SafetensorsException.quote(t.name()) + " [" + (t.begin() - dataStart) + ", "
                        + (t.end() - dataStart) + "] overlap in data_offsets");
            }
            last = t;
        }
    }

    /** What a wrong JSON value is, short: containers by size (never printed whole), values by their text. */
    private static String kind(JsonNode node) {
        String type = node.getNodeType().toString().toLowerCase();
        if (node.isContainerNode()) {
            return type + " of " + node.size() + (node.isArray() ? " items" : " fields");
        }
        String text = node.toString();
        return type + " " + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
