package io.moslora.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.cli.UserError;
import io.moslora.io.DType;
import io.moslora.io.SafetensorsWriter;
import io.moslora.io.ShardedCheckpoint;
import io.moslora.io.ShardedCheckpointWriter;
import io.moslora.io.TensorCodec;
import io.moslora.io.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Folds an adapter into a Hugging Face checkpoint folder, {@code W' = W + B·M·A·scaling} (DoRA:
 * {@code W' = m ⊙ (W + B·A·s)/‖W + B·A·s‖}), writing the model's
 * own layout (single file, or shards with an index). Tensors are streamed one at a time, so memory is bounded by
 * the largest tensor, not the model. Other files of the folder (config, tokenizer) are copied.
 */
public final class AdapterMerge {
    private AdapterMerge() {}

    /** Returns how many weights were changed. */
    public static int merge(Path modelDir, Path adapterDir, Path outDir, long maxShardBytes) {
        try (AdapterTensors adapter = new AdapterTensors(adapterDir);
                ShardedCheckpoint model = ShardedCheckpoint.open(modelDir)) {
            SafetensorsWriter w = new SafetensorsWriter().putAllMetadata(model.metadata());
            Set<String> pending = new HashSet<>(adapter.updates().keySet());
            for (String name : model.names()) {
                String module = name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : null;
                AdapterTensors.Update u = module == null ? null : adapter.updates().get(module);
                if (u == null) {
                    w.copyFrom(model, name);
                    continue;
                }
                pending.remove(module);
                TensorInfo info = model.info(name);
                if (!info.dtype().isFloatingPoint() || info.shape().length != 2) {
                    throw new UserError(model.fileOf(name) + ": tensor " + name + " is " + info.dtype().safetensorsName()
                            + " " + java.util.Arrays.toString(info.shape()) + ", not a dense 2-D weight the adapter can merge into");
                }
                DType stored = info.dtype() == DType.F64 ? DType.F32 : info.dtype();
                w.add(name, stored, info.shape(), out -> {
                    try (NDManager m = NDManager.newBaseManager()) {
                        NDArray merged = adapter.mergedWeight(u, model.toNDArray(m, name, DataType.FLOAT32), m);
                        float[] values = merged.toFloatArray();
                        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(values.length * stored.byteSize());
                        TensorCodec.encodeFloats(values, 0, values.length, stored, bytes);
                        bytes.flip();
                        while (bytes.hasRemaining()) {
                            out.write(bytes);
                        }
                    }
                });
            }
            if (!pending.isEmpty()) {
                throw new UserError(adapterDir + ": the adapter targets " + pending.size() + " modules that "
                        + modelDir + " has no weight for, e.g. " + pending.iterator().next());
            }
            Files.createDirectories(outDir);
            ShardedCheckpointWriter.write(w, outDir, "model", maxShardBytes);
            copyOtherFiles(modelDir, outDir);
            return adapter.updates().size();
        } catch (IOException e) {
            throw new UserError("cannot write " + outDir + ": " + e.getMessage());
        }
    }

    private static void copyOtherFiles(Path modelDir, Path outDir) throws IOException {
        if (!Files.isDirectory(modelDir)) {
            return;
        }
        try (Stream<Path> files = Files.list(modelDir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String n = f.getFileName().toString();
                if (Files.isRegularFile(f) && !n.endsWith(".safetensors") && !n.equals(ShardedCheckpoint.INDEX_FILE)) {
                    Files.copy(f, outDir.resolve(n), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
