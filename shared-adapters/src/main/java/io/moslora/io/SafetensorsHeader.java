package io.moslora.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 *
 * <p>The JSON is read as a token stream straight into {@link TensorInfo}s, never as a tree: a hostile 100 MB
 * header with millions of entries would otherwise cost gigabytes of heap.
 */
public record SafetensorsHeader(List<TensorInfo> tensors, Map<String, TensorInfo> byName,
        Map<String, String> metadata) {

    public static final String METADATA_KEY = "__metadata__";
    /** More dimensions than any framework supports; refusing them bounds what one entry can allocate. */
    static final int MAX_RANK = 1024;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /**
     * Validates {@code headerBytes} (the JSON after the 8-byte length) against a file whose data section starts
     * at {@code dataStart} and holds {@code dataLength} bytes.
     */
    public static SafetensorsHeader parse(Path file, byte[] headerBytes, long dataStart, long dataLength) {
        Map<String, String> metadata = Map.of();
        List<TensorInfo> inFileOrder = new ArrayList<>();
        // strict UTF-8 (the format's encoding) rather than the parser's guess among UTF-8/16/32
        InputStreamReader text = new InputStreamReader(new ByteArrayInputStream(headerBytes),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT));
        try (JsonParser p = JSON.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new SafetensorsException(file, "header is empty; this is not a safetensors file");
            }
            if (first != JsonToken.START_OBJECT) {
                throw new SafetensorsException(file, "header is JSON but not an object (found " + describe(p)
                        + "); this is not a safetensors file");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals(METADATA_KEY)) {
                    metadata = readMetadata(file, p);
                } else {
                    inFileOrder.add(readTensor(file, name, p, dataStart, dataLength));
                }
            }
            if (p.nextToken() != null) {
                throw new SafetensorsException(file, "header is not valid JSON: more content after the top-level object");
            }
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(file, "header is not valid UTF-8 text; this is not a safetensors file", e);
        } catch (JsonProcessingException e) {
            long at = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
            throw new SafetensorsException(file, "header is not valid JSON" + (at >= 0 ? " (at character " + at + ")" : "")
                    + ": " + firstLine(e.getOriginalMessage()) + "; this is not a safetensors file or it is damaged", e);
        } catch (IOException e) {
            throw new SafetensorsException(file, "header cannot be read: " + firstLine(e.getMessage()), e);
        }
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

    private static Map<String, String> readMetadata(Path file, JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return Map.of();
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new SafetensorsException(file, "header field __metadata__ must be an object of strings, found "
                    + describe(p));
        }
        Map<String, String> out = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw new SafetensorsException(file, "__metadata__ entry " + SafetensorsException.quote(key)
                        + " must be a string, found " + describe(p));
            }
            out.put(key, p.getText());
        }
        return Collections.unmodifiableMap(out);
    }

    private static TensorInfo readTensor(Path file, String name, JsonParser p, long dataStart, long dataLength)
            throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new SafetensorsException(file, where(name) + " must be an object with dtype, shape and data_offsets, found "
                    + describe(p));
        }
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (p.currentToken() != JsonToken.VALUE_STRING) {
                        throw new SafetensorsException(file, where(name) + ": field dtype is not a string (" + describe(p) + ")");
                    }
                    dtypeName = p.getText();
                }
                case "shape" -> shape = readLongs(file, name, "shape", p, MAX_RANK);
                case "data_offsets" -> offsets = readLongs(file, name, "data_offsets", p, 2);
                default -> p.skipChildren(); // fields we do not know are allowed and ignored
            }
        }
        if (dtypeName == null) {
            throw new SafetensorsException(file, where(name) + ": field dtype is missing");
        }
        String unknown = dtypeName;
        DType dtype = DType.fromSafetensorsName(dtypeName).orElseThrow(() -> new SafetensorsException(file,
                where(name) + ": unknown dtype " + SafetensorsException.quote(unknown) + " (supported: "
                        + DType.supportedNames() + ")"));
        if (shape == null) {
            throw new SafetensorsException(file, where(name) + ": field shape is missing");
        }
        if (offsets == null) {
            throw new SafetensorsException(file, where(name) + ": field data_offsets is missing");
        }
        if (offsets.length != 2) {
            throw new SafetensorsException(file, where(name) + ": field data_offsets must hold exactly 2 integers, found "
                    + offsets.length);
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw new SafetensorsException(file, where(name) + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        long expected;
        try {
            long numel = 1;
            for (long d : shape) {
                numel = Math.multiplyExact(numel, d);
            }
            expected = Math.multiplyExact(numel, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new SafetensorsException(file, where(name) + ": shape " + Arrays.toString(shape)
                    + " has more elements than any file can hold");
        }
        if (expected != end - begin) {
            throw new SafetensorsException(file, where(name) + ": shape " + Arrays.toString(shape) + " of "
                    + dtype.safetensorsName() + " needs " + expected + " bytes but data_offsets [" + begin + ", " + end
                    + "] span " + (end - begin));
        }
        if (end > dataLength) {
            throw new SafetensorsException(file, where(name) + ": data_offsets [" + begin + ", " + end
                    + "] reach past the end of the data, which holds only " + dataLength
                    + " bytes after the header (file truncated?)");
        }
        return new TensorInfo(name, dtype, shape, dataStart + begin, dataStart + end);
    }

    /** A JSON array of non-negative integers that fit a long, at most {@code max} of them (more is refused). */
    private static long[] readLongs(Path file, String name, String field, JsonParser p, int max) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new SafetensorsException(file, where(name) + ": field " + field + " must be an array of integers, found "
                    + describe(p));
        }
        long[] out = new long[Math.min(max, 8)];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (n == max) {
                throw new SafetensorsException(file, where(name) + ": field " + field + " must hold "
                        + (max == 2 ? "exactly 2 integers, found more" : "at most " + max + " integers"));
            }
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
                    || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new SafetensorsException(file, where(name) + ": field " + field + "[" + n
                        + "] must be an integer that fits 64 bits, found " + describe(p));
            }
            long v = p.getLongValue();
            if (v < 0) {
                throw new SafetensorsException(file, where(name) + ": field " + field + "[" + n + "] is negative (" + v + ")");
            }
            if (n == out.length) {
                out = Arrays.copyOf(out, Math.min(max, out.length * 2));
            }
            out[n++] = v;
        }
        return Arrays.copyOf(out, n);
    }

    /** "tensor 'name'" for messages; built only when there is something to report. */
    private static String where(String name) {
        return "tensor " + SafetensorsException.quote(name);
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

    /** What the parser is looking at, short, for "found ..." in messages (containers are never printed whole). */
    private static String describe(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            return "object";
        }
        if (t == JsonToken.START_ARRAY) {
            return "array";
        }
        if (t == JsonToken.VALUE_NULL) {
            return "null";
        }
        String text = p.getText();
        if (text.length() > 40) {
            text = text.substring(0, 40) + "...";
        }
        return switch (t) {
            case VALUE_STRING -> "string \"" + text + "\"";
            case VALUE_TRUE, VALUE_FALSE -> "boolean " + text;
            default -> "number " + text;
        };
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
