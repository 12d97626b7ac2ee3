package io.moslora.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.cli.UserError;
import io.moslora.io.SafetensorsWriter;
import io.moslora.io.TensorInfo;
import io.moslora.io.TensorReader;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;
import io.moslora.nn.Parameter;
import io.moslora.nn.StateDictLoader;
import io.moslora.nn.TensorSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the dense {@link Linear} layers of a module tree into {@link Linear4bit}s: in memory
 * ({@link #quantizeModel}), while a 16/32-bit checkpoint streams in ({@link #load} with options, peak memory about
 * the 4-bit model plus one dense tensor), or from a pre-quantized bitsandbytes checkpoint ({@link #load}, found
 * by its {@code quant_state} entries). Also writes a model with 4-bit layers back in the bitsandbytes layout.
 */
public final class Quantizer {
    private Quantizer() {}

    /** Replaces every targeted dense Linear that has values by a Linear4bit; returns their paths. */
    public static List<String> quantizeModel(Module root, QuantOptions options, NDManager manager) {
        List<String> done = new ArrayList<>();
        for (Map.Entry<String, Module> e : root.namedModules().entrySet()) {
            if (!(e.getValue() instanceof Linear lin) || !options.targets(e.getKey())
                    || !lin.weight().isMaterialized()) {
                continue;
            }
            NDArray w = lin.weight().array();
            String dtype = w.getDataType() == DataType.FLOAT16 ? "float16" : "float32";
            float[] values = w.toType(DataType.FLOAT32, false).toFloatArray();
            Linear4bit q = new Linear4bit(options.quantize(values, w.getShape().getShape(), dtype), lin.hasBias(),
                    manager);
            if (lin.hasBias()) {
                q.bias().set(lin.parameter("bias").array());
            }
            root.replace(e.getKey(), q);
            w.close();
            done.add(e.getKey());
        }
        return done;
    }

    /**
     * Loads a checkpoint into a (shape-only) model. Weights stored in the bitsandbytes 4-bit layout become
     * Linear4bit layers as they are; with {@code quantize} non-null, every targeted dense Linear's weight is
     * quantized the moment it is read and never becomes a DJL array. All other tensors load as usual in
     * {@code dtype}. {@code quantize} null loads dense weights densely.
     */
    public static StateDictLoader.Report load(Module root, TensorReader reader, NDManager manager, DataType dtype,
            QuantOptions quantize, boolean strict) {
        Map<String, Module> modules = root.namedModules();
        Set<String> consumed = new HashSet<>();
        for (String name : reader.names()) {
            if (Nf4Files.isQuantState(name)) {
                String weightKey = Nf4Files.weightKeyOf(name);
                if (!weightKey.endsWith(".weight")) {
                    throw new UserError(reader.fileOf(name) + ": tensor " + name + " is a 4-bit state of " + weightKey
                            + ", which is not a Linear's .weight");
                }
                String path = weightKey.substring(0, weightKey.length() - ".weight".length());
                Linear lin = targetLinear(modules, path, reader, weightKey);
                replace(root, path, lin, Nf4Files.readState(reader, weightKey), reader, weightKey, manager);
                consumed.addAll(Nf4Files.stateKeys(reader, weightKey));
            }
        }
        if (quantize != null) {
            for (String name : reader.names()) {
                if (consumed.contains(name) || !name.endsWith(".weight")) {
                    continue;
                }
                String path = name.substring(0, name.length() - ".weight".length());
                if (!(modules.get(path) instanceof Linear) || !quantize.targets(path)) {
                    continue;
                }
                Linear lin = targetLinear(modules, path, reader, name);
                TensorInfo info = reader.info(name);
                if (!info.dtype().isFloatingPoint()) {
                    throw new UserError(reader.fileOf(name) + ": tensor " + name + " is "
                            + info.dtype().safetensorsName() + ", not a floating-point weight to quantize");
                }
                float[] values = reader.readFloats(name); // the one dense copy, dropped once quantized
                replace(root, path, lin, quantize.quantize(values, info.shape(), QuantOptions.bnbDtype(info.dtype())),
                        reader, name, manager);
                consumed.add(name);
            }
        }
        return StateDictLoader.load(root, TensorSource.of(reader), manager, dtype, strict,
                k -> consumed.contains(k) ? null : k);
    }

    private static Linear targetLinear(Map<String, Module> modules, String path, TensorReader reader, String key) {
        if (!(modules.get(path) instanceof Linear lin)) {
            throw new UserError(reader.fileOf(key) + ": tensor " + key + " is a 4-bit weight but the model has no"
                    + " dense Linear at " + path);
        }
        return lin;
    }

    private static void replace(Module root, String path, Linear lin, QuantState state, TensorReader reader,
            String key, NDManager manager) {
        long[] want = lin.weight().shape().getShape();
        if (!java.util.Arrays.equals(want, state.shape())) {
            throw new UserError(reader.fileOf(key) + ": tensor " + key + " has shape "
                    + java.util.Arrays.toString(state.shape()) + " but the model expects "
                    + java.util.Arrays.toString(want));
        }
        root.replace(path, new Linear4bit(state, lin.hasBias(), manager));
    }

    /** Every Linear4bit's weight as bitsandbytes stores it, keyed {@code <path>.weight...}. */
    public static Map<String, RawTensor> bnbStateDict(Module root) {
        Map<String, RawTensor> out = new LinkedHashMap<>();
        root.namedModules().forEach((path, m) -> {
            if (m instanceof Linear4bit q) {
                out.putAll(BnbLinear4bitState.toTensors(path.isEmpty() ? "weight" : path + ".weight", q.state()));
            }
        });
        return out;
    }

    /** Writes the model as a bnb-4bit safetensors file: dense parameters as they are, 4-bit weights in bnb layout. */
    public static void save(Module root, Path file) {
        SafetensorsWriter writer = new SafetensorsWriter();
        for (Map.Entry<String, Parameter> e : root.namedParameters().entrySet()) {
            if (e.getValue().isMaterialized()) {
                writer.add(e.getKey(), e.getValue().array());
            }
        }
        bnbStateDict(root).forEach((k, t) -> t.addTo(writer, k));
        writer.write(file);
    }
}
