package io.moslora.llava.merge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.moslora.adapters.AdapterTensors;
import io.moslora.cli.UserError;
import io.moslora.engine.OwnedArrays;
import io.moslora.io.DType;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SafetensorsWriter;
import io.moslora.io.ShardedCheckpointWriter;
import io.moslora.io.TensorCodec;
import io.moslora.io.TensorInfo;
import io.moslora.io.TensorReader;
import io.moslora.llava.model.LlavaModel;
import io.moslora.llava.train.LlavaTrainer;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;
import io.moslora.nn.Parameter;
import io.moslora.quant.QuantOptions;
import io.moslora.quant.QuantState;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Folds a {@code llava train} output into its base and lays the result out as a llava-hf checkpoint, streaming
 * one tensor at a time (memory bounded by the largest tensor, not the model):
 * <ul>
 *   <li>an adapted weight becomes {@code W + B·M·A·α/r} (DoRA: rescaled row by row), in the base's stored dtype;
 *   <li>with a QMoSLoRA run (LLM trained over NF4), every LLM decoder Linear weight is first replaced by its NF4
 *       round trip {@code dequant(quant(W))} — the weights the adapter was trained against and that chat and eval
 *       compute with — so the merged model reproduces the fine-tuned model, not a slightly different one;
 *   <li>the projector comes from the run (it was trained), everything else is copied byte for byte.
 * </ul>
 * The key set is checked against the model's own before anything is written, so the result loads strictly.
 */
final class LlavaMerge {
    /** What was merged, for the command's summary line. */
    record Summary(int tensors, int adaptedWeights, int nf4RoundTrips, int shards) {}

    private static final int CHUNK = 1 << 18;

    private LlavaMerge() {}

    static Summary write(MergeBase base, MergeDelta delta, Path folder, long maxShardBytes, boolean progress) {
        LlavaModel shapes = new LlavaModel(base.config());
        Map<String, Parameter> expected = shapes.namedParameters();
        Set<String> nf4Weights = delta.llmTrainedOnNf4() ? nf4Weights(shapes) : Set.of();
        Map<String, MergeDelta.Target> pending = new LinkedHashMap<>(delta.targetsByWeight());
        Set<String> projectorUnused = new HashSet<>(delta.projector() == null ? List.of() : delta.projector().names());
        SafetensorsWriter w = new SafetensorsWriter();
        Map<String, TensorReader> sourceOf = new LinkedHashMap<>();
        int adapted = 0;
        int roundTrips = 0;
        for (MergeBase.Part part : base.parts()) {
            TensorReader reader = part.reader();
            for (String name : reader.names()) {
                String key = part.toLlavaHf().apply(name);
                if (key == null) {
                    continue;
                }
                TensorReader earlier = sourceOf.putIfAbsent(key, reader);
                if (earlier != null) {
                    throw new UserError(reader.fileOf(name) + ": tensor " + name + " is " + key + " in llava-hf, which "
                            + earlier.path() + " already holds; the base's files overlap");
                }
                Parameter p = expected.get(key);
                if (p == null) {
                    throw new UserError(reader.fileOf(name) + ": tensor " + name + " (llava-hf " + key
                            + ") is not a parameter of this LLaVA config; the weights and config.json do not match");
                }
                TensorReader source = reader;
                String sourceName = name;
                if (key.startsWith("multi_modal_projector.") && delta.projector() != null) {
                    source = requireProjectorTensor(delta.projector(), key);
                    sourceName = key;
                    projectorUnused.remove(key);
                }
                TensorInfo info = source.info(sourceName);
                requireShape(source, sourceName, info, p, key);
                MergeDelta.Target target = pending.remove(key);
                boolean roundTrip = nf4Weights.contains(key);
                if (target == null && !roundTrip) {
                    w.copyFrom(source, sourceName, key);
                    continue;
                }
                if (!info.dtype().isFloatingPoint() || info.shape().length != 2) {
                    throw new UserError(source.fileOf(sourceName) + ": tensor " + sourceName + " is "
                            + info.dtype().safetensorsName() + " " + Arrays.toString(info.shape())
                            + ", not a dense 2-D weight to merge into");
                }
                if (target != null) {
                    requireAdapterFits(target, info.shape(), key);
                    adapted++;
                }
                roundTrips += roundTrip ? 1 : 0;
                DType stored = info.dtype() == DType.F64 ? DType.F32 : info.dtype();
                TensorReader src = source;
                String srcName = sourceName;
                w.add(key, stored, info.shape(), out -> {
                    float[] values = mergedValues(src, srcName, info.shape(), roundTrip, target);
                    ByteBuffer chunk = ByteBuffer.allocate(CHUNK * stored.byteSize());
                    for (int from = 0; from < values.length; from += CHUNK) {
                        chunk.clear();
                        TensorCodec.encodeFloats(values, from, Math.min(values.length, from + CHUNK), stored, chunk);
                        chunk.flip();
                        while (chunk.hasRemaining()) {
                            out.write(chunk);
                        }
                    }
                });
            }
        }
        requireAllUsed(base, delta, expected, sourceOf.keySet(), pending, projectorUnused);
        List<Path> files;
        if (progress) {
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("llava merge").setStyle(ProgressBarStyle.ASCII)
                    .setInitialMax(w.totalBytes()).setUnit(" MB", 1_000_000).showSpeed().build()) {
                files = ShardedCheckpointWriter.write(w, folder, "model", maxShardBytes, (t, bytes) -> bar.stepBy(bytes));
            }
        } else {
            files = ShardedCheckpointWriter.write(w, folder, "model", maxShardBytes);
        }
        int shards = files.size() == 1 ? 1 : files.size() - 1;
        return new Summary(sourceOf.size(), adapted, roundTrips, shards);
    }

    /** The LLM weights {@link LlavaTrainer#quantizeLlm} turns into NF4, by llava-hf key. */
    private static Set<String> nf4Weights(LlavaModel shapes) {
        Set<String> out = new HashSet<>();
        QuantOptions nf4 = LlavaTrainer.LLM_NF4;
        shapes.languageModel().namedModules().forEach((path, m) -> {
            if (m instanceof Linear && nf4.targets(path)) {
                out.add("language_model." + path + ".weight");
            }
        });
        return out;
    }

    /** One output weight's values in float32: the base's, NF4 round-tripped if asked, plus the adapter's update. */
    private static float[] mergedValues(TensorReader source, String name, long[] shape, boolean nf4RoundTrip,
            MergeDelta.Target target) {
        float[] values = source.readFloats(name);
        if (nf4RoundTrip) {
            QuantOptions o = LlavaTrainer.LLM_NF4;
            values = QuantState.quantize(values, shape, "float32", o.type(), o.blocksize(), o.doubleQuant()).dequantize();
        }
        if (target == null) {
            return values;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray weight = OwnedArrays.create(m, values, new Shape(shape));
            return target.adapter().tensors().mergedWeight(target.update(), weight, m).toFloatArray();
        }
    }

    private static TensorReader requireProjectorTensor(SafetensorsFile projector, String key) {
        if (!projector.contains(key)) {
            throw new UserError(projector.path() + ": tensor " + key + " is missing; the trained projector must hold "
                    + "every projector weight of the base");
        }
        return projector;
    }

    private static void requireShape(TensorReader source, String name, TensorInfo info, Parameter p, String key) {
        if (!Arrays.equals(info.shape(), p.shape().getShape())) {
            throw new UserError(source.fileOf(name) + ": tensor " + name + " has shape " + Arrays.toString(info.shape())
                    + " but the config makes " + key + " " + Arrays.toString(p.shape().getShape()));
        }
    }

    /** A, B and the mixer must have the adapter's rank and the weight's sides, or the adapter is for another model. */
    private static void requireAdapterFits(MergeDelta.Target t, long[] weight, String key) {
        AdapterTensors a = t.adapter().tensors();
        int r = a.config().r();
        AdapterTensors.Update u = t.update();
        check(a, u.a(), new long[] {r, weight[1]}, r, key, weight);
        check(a, u.b(), new long[] {weight[0], r}, r, key, weight);
        if (u.mixer() != null) {
            check(a, u.mixer(), new long[] {r, r}, r, key, weight);
        }
        if (u.magnitude() != null) {
            check(a, u.magnitude(), new long[] {weight[0]}, r, key, weight);
        }
    }

    private static void check(AdapterTensors a, String tensor, long[] want, int r, String key, long[] weight) {
        long[] have = a.file().info(tensor).shape();
        if (!Arrays.equals(have, want)) {
            throw new UserError(a.file().path() + ": tensor " + tensor + " has shape " + Arrays.toString(have)
                    + ", expected " + Arrays.toString(want) + " for rank r=" + r + " (adapter_config.json) on "
                    + key + " " + Arrays.toString(weight) + "; the adapter does not fit this base model");
        }
    }

    private static void requireAllUsed(MergeBase base, MergeDelta delta, Map<String, Parameter> expected,
            Set<String> written, Map<String, MergeDelta.Target> pending, Set<String> projectorUnused) {
        if (!pending.isEmpty()) {
            MergeDelta.Target t = pending.values().iterator().next();
            throw new UserError(t.adapter().tensors().file().path() + ": the adapter targets " + pending.size()
                    + " module(s) the base has no weight for, e.g. " + t.update().modulePath()
                    + " (llava-hf " + pending.keySet().iterator().next() + "); check target_modules and --model");
        }
        if (!projectorUnused.isEmpty()) {
            throw new UserError(delta.projector().path() + ": tensor " + projectorUnused.iterator().next()
                    + " has no counterpart in the base's projector; the run was trained on another base");
        }
        String tiedHead = base.config().tieWordEmbeddings()
                ? "language_model." + new LlavaModel(base.config()).languageModel().headName() + ".weight" : null;
        for (String key : expected.keySet()) {
            if (!written.contains(key) && !key.equals(tiedHead)) {
                throw new UserError(base.parts().get(0).reader().path() + ": the base has no tensor for " + key
                        + " (llava-hf name); the checkpoint is incomplete or its layout is not supported");
            }
        }
    }
}
