package io.moslora.quant;

import io.moslora.cli.UserError;
import io.moslora.io.DType;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SafetensorsWriter;
import io.moslora.io.TensorInfo;
import io.moslora.io.TensorReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * File-to-file conversion between dense safetensors and the bitsandbytes 4-bit layout. Dense tensors are read one
 * at a time (memory-mapped) and quantized straight away; only the 4-bit results are held until the file is
 * written, because the header must know every entry's size first (the quant_state JSON's length depends on the
 * offset found by quantizing). Output goes through {@link SafetensorsWriter}, i.e. atomically.
 */
public final class Nf4Files {
    private static final String QUANT_STATE = ".quant_state.bitsandbytes__";

    private Nf4Files() {}

    /** Quantizes every targeted 2-D floating-point {@code *.weight}; returns the names quantized. */
    public static List<String> quantize(Path in, Path out, QuantOptions options, Consumer<String> progress) {
        List<String> done = new java.util.ArrayList<>();
        try (SafetensorsFile reader = SafetensorsFile.open(in)) {
            for (String name : reader.names()) {
                if (isQuantState(name)) {
                    throw new UserError(in + ": tensor " + name + " shows the file is already 4-bit; dequantize it first");
                }
            }
            SafetensorsWriter writer = new SafetensorsWriter().putAllMetadata(reader.metadata());
            for (String name : reader.names()) {
                TensorInfo info = reader.info(name);
                if (name.endsWith(".weight") && info.rank() == 2 && info.dtype().isFloatingPoint()
                        && options.targets(name)) {
                    float[] values = reader.readFloats(name);
                    QuantState s = options.quantize(values, info.shape(), QuantOptions.bnbDtype(info.dtype()));
                    BnbLinear4bitState.toTensors(name, s).forEach((k, t) -> t.addTo(writer, k));
                    done.add(name);
                } else {
                    writer.copyFrom(reader, name);
                }
                progress.accept(name);
            }
            writer.write(out);
        }
        return done;
    }

    /** Dequantizes every 4-bit weight to {@code dtype} (F32 or F16), copying the other tensors; returns the names. */
    public static List<String> dequantize(Path in, Path out, DType dtype, Consumer<String> progress) {
        if (dtype != DType.F32 && dtype != DType.F16) {
            throw new UserError("--dtype " + dtype.safetensorsName() + ": use f32 or f16");
        }
        List<String> done = new java.util.ArrayList<>();
        try (SafetensorsFile reader = SafetensorsFile.open(in)) {
            Map<String, QuantState> states = states(reader);
            SafetensorsWriter writer = new SafetensorsWriter().putAllMetadata(reader.metadata());
            for (String name : reader.names()) {
                QuantState s = states.get(name);
                if (s != null) {
                    writer.add(name, dtype, s.shape(), ch -> {
                        FourBitKernels k = FourBitKernels.best();
                        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(s.numel() * dtype.byteSize()))
                                .order(ByteOrder.LITTLE_ENDIAN);
                        if (dtype == DType.F32) {
                            bytes.asFloatBuffer().put(s.dequantize(k));
                        } else {
                            bytes.asShortBuffer().put(s.dequantizeHalf(k));
                        }
                        while (bytes.hasRemaining()) {
                            ch.write(bytes);
                        }
                    });
                    done.add(name);
                } else if (!belongsToState(name, states)) {
                    writer.copyFrom(reader, name);
                }
                progress.accept(name);
            }
            writer.write(out);
        }
        return done;
    }

    /** Every 4-bit weight of a file by its weight key, with file-named errors for inconsistent states. */
    public static Map<String, QuantState> states(TensorReader reader) {
        Map<String, QuantState> out = new LinkedHashMap<>();
        for (String name : reader.names()) {
            if (!isQuantState(name)) {
                continue;
            }
            String weightKey = weightKeyOf(name);
            out.put(weightKey, readState(reader, weightKey));
        }
        return out;
    }

    /** The 4-bit state of one weight; a one-line {@link UserError} naming the file and tensor if it is broken. */
    static QuantState readState(TensorReader reader, String weightKey) {
        Map<String, RawTensor> raw = new LinkedHashMap<>();
        for (String k : stateKeys(reader, weightKey)) {
            raw.put(k, RawTensor.read(reader, k));
        }
        try {
            return BnbLinear4bitState.fromTensors(weightKey, raw, reader.path().toString());
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** The file's entries that make up the 4-bit state of {@code weightKey}. */
    static List<String> stateKeys(TensorReader reader, String weightKey) {
        return reader.names().stream().filter(k -> k.equals(weightKey) || k.startsWith(weightKey + ".")).toList();
    }

    static String weightKeyOf(String quantStateName) {
        return quantStateName.substring(0, quantStateName.indexOf(QUANT_STATE));
    }

    static boolean isQuantState(String name) {
        return name.contains(QUANT_STATE);
    }

    private static boolean belongsToState(String name, Map<String, QuantState> states) {
        for (String weightKey : states.keySet()) {
            if (name.startsWith(weightKey + ".")) {
                return true;
            }
        }
        return false;
    }
}
