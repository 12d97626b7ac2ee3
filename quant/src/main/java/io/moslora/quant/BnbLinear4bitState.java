package io.moslora.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state-dict entries bitsandbytes' {@code Linear4bit} writes for one weight {@code P.weight} (and reads back
 * from pre-quantized "bnb-4bit" checkpoints):
 * <pre>
 *   P.weight                                U8  [(n+1)/2, 1]  packed codes
 *   P.weight.absmax                         U8 [blocks] with double quant, F32 [blocks] without
 *   P.weight.quant_map                      F32 [16]
 *   P.weight.nested_absmax                  F32 [ceil(blocks/256)]   (double quant only)
 *   P.weight.nested_quant_map               F32 [256]                (double quant only)
 *   P.weight.quant_state.bitsandbytes__nf4  U8 [len]  UTF-8 JSON of the non-tensor fields
 * </pre>
 * The JSON holds quant_type, blocksize, dtype, shape and, with double quant, nested_blocksize, nested_dtype,
 * nested_offset, in that order and with Python's {@code json.dumps} spacing.
 */
public final class BnbLinear4bitState {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUANT_STATE = ".quant_state.bitsandbytes__";

    private BnbLinear4bitState() {}

    /** Whether {@code tensors} hold a bitsandbytes 4-bit state for {@code weightKey}. */
    public static boolean isQuantized(String weightKey, Map<String, RawTensor> tensors) {
        for (FourBitType t : FourBitType.values()) {
            if (tensors.containsKey(weightKey + QUANT_STATE + t.bnbName())) {
                return true;
            }
        }
        return false;
    }

    /** The entries for {@code weightKey} (e.g. {@code model.layers.0.mlp.down_proj.weight}), in bitsandbytes' order. */
    public static Map<String, RawTensor> toTensors(String weightKey, QuantState s) {
        Map<String, RawTensor> out = new LinkedHashMap<>();
        out.put(weightKey, RawTensor.u8(s.packed(), s.packed().length, 1));
        if (s.doubleQuant()) {
            DoubleQuant dq = s.nested();
            out.put(weightKey + ".absmax", RawTensor.u8(dq.codes(), dq.codes().length));
            out.put(weightKey + ".quant_map", RawTensor.f32(s.code(), 16));
            out.put(weightKey + ".nested_absmax", RawTensor.f32(dq.scales(), dq.scales().length));
            out.put(weightKey + ".nested_quant_map", RawTensor.f32(dq.code(), dq.code().length));
        } else {
            out.put(weightKey + ".absmax", RawTensor.f32(s.absmax(), s.absmax().length));
            out.put(weightKey + ".quant_map", RawTensor.f32(s.code(), 16));
        }
        byte[] json = stateJson(s).getBytes(StandardCharsets.UTF_8);
        out.put(weightKey + QUANT_STATE + s.type().bnbName(), RawTensor.u8(json, json.length));
        return out;
    }

    /** Reads the state of {@code weightKey} back; {@code source} names the file in error messages. */
    public static QuantState fromTensors(String weightKey, Map<String, RawTensor> tensors, String source) {
        FourBitType type = null;
        RawTensor stateBytes = null;
        for (FourBitType t : FourBitType.values()) {
            RawTensor r = tensors.get(weightKey + QUANT_STATE + t.bnbName());
            if (r != null) {
                type = t;
                stateBytes = r;
            }
        }
        if (type == null) {
            throw new IllegalArgumentException(source + ": no " + weightKey + QUANT_STATE + "nf4/fp4 entry");
        }
        JsonNode json;
        try {
            json = JSON.readTree(new String(stateBytes.data(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": " + weightKey + QUANT_STATE + type.bnbName()
                    + " is not valid JSON: " + e.getMessage());
        }
        String field = weightKey + QUANT_STATE + type.bnbName();
        String quantType = text(json, "quant_type", field, source);
        if (!quantType.equals(type.bnbName())) {
            throw new IllegalArgumentException(source + ": " + field + " says quant_type " + quantType);
        }
        int blocksize = (int) number(json, "blocksize", field, source);
        String dtype = text(json, "dtype", field, source);
        JsonNode shapeNode = json.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new IllegalArgumentException(source + ": " + field + " has no shape list");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong();
        }
        try {
            return assemble(weightKey, tensors, source, type, blocksize, dtype, shape, json, field);
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith(source + ":")) {
                throw e;
            }
            throw new IllegalArgumentException(source + ": " + weightKey + ": " + e.getMessage(), e);
        }
    }

    private static QuantState assemble(String weightKey, Map<String, RawTensor> tensors, String source,
            FourBitType type, int blocksize, String dtype, long[] shape, JsonNode json, String field) {
        byte[] packed = require(tensors, weightKey, "U8", source).data();
        float[] code = require(tensors, weightKey + ".quant_map", "F32", source).asF32();
        RawTensor absmaxT = tensors.get(weightKey + ".absmax");
        if (absmaxT == null) {
            throw new IllegalArgumentException(source + ": missing tensor " + weightKey + ".absmax");
        }
        if (json.has("nested_offset")) {
            float offset = (float) number(json, "nested_offset", field, source);
            int nestedBlocksize = (int) number(json, "nested_blocksize", field, source);
            float[] scales = require(tensors, weightKey + ".nested_absmax", "F32", source).asF32();
            float[] nestedCode = require(tensors, weightKey + ".nested_quant_map", "F32", source).asF32();
            byte[] codes = requireDtype(absmaxT, weightKey + ".absmax", "U8", source).data();
            return new QuantState(type, blocksize, shape, dtype, packed, code, null,
                    new DoubleQuant(codes, scales, nestedCode, offset, nestedBlocksize));
        }
        float[] absmax = requireDtype(absmaxT, weightKey + ".absmax", "F32", source).asF32();
        return new QuantState(type, blocksize, shape, dtype, packed, code, absmax, null);
    }

    /** The JSON bitsandbytes packs into the quant_state tensor, formatted as Python's json.dumps does. */
    static String stateJson(QuantState s) {
        StringBuilder b = new StringBuilder();
        b.append("{\"quant_type\": \"").append(s.type().bnbName()).append('"');
        b.append(", \"blocksize\": ").append(s.blocksize());
        b.append(", \"dtype\": \"").append(s.dtype()).append('"');
        b.append(", \"shape\": [");
        for (int i = 0; i < s.shape().length; i++) {
            b.append(i == 0 ? "" : ", ").append(s.shape()[i]);
        }
        b.append(']');
        if (s.doubleQuant()) {
            b.append(", \"nested_blocksize\": ").append(s.nested().blocksize());
            b.append(", \"nested_dtype\": \"float32\"");
            // The float32 offset widened to double, as Python's .item() does; parsing it back is exact.
            b.append(", \"nested_offset\": ").append(PythonFloatRepr.of(s.nested().offset()));
        }
        return b.append('}').toString();
    }

    private static RawTensor require(Map<String, RawTensor> tensors, String key, String dtype, String source) {
        RawTensor t = tensors.get(key);
        if (t == null) {
            throw new IllegalArgumentException(source + ": missing tensor " + key);
        }
        return requireDtype(t, key, dtype, source);
    }

    private static RawTensor requireDtype(RawTensor t, String key, String dtype, String source) {
        if (!t.dtype().equals(dtype)) {
            throw new IllegalArgumentException(source + ": tensor " + key + " is " + t.dtype() + ", expected " + dtype);
        }
        return t;
    }

    private static String text(JsonNode json, String name, String field, String source) {
        JsonNode v = json.get(name);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(source + ": " + field + " has no text field \"" + name + "\"");
        }
        return v.asText();
    }

    private static double number(JsonNode json, String name, String field, String source) {
        JsonNode v = json.get(name);
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException(source + ": " + field + " has no number field \"" + name + "\"");
        }
        return v.asDouble();
    }
}
