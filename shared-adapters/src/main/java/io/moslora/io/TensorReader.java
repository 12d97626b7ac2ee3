package io.moslora.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Read access to named tensors stored in safetensors form: one file ({@link SafetensorsFile}) or a shard set
 * ({@link ShardedCheckpoint}). Tensor data is only touched when asked for, one tensor at a time.
 */
public interface TensorReader extends AutoCloseable {
    /** What the user opened (a file, an index, a folder); error messages name it. */
    Path path();

    /** Every tensor name, in the order the data lies on disk. */
    List<String> names();

    boolean contains(String name);

    /** Dtype, shape and byte range of one tensor; a {@link SafetensorsException} naming the file if it is absent. */
    TensorInfo info(String name);

    /** The file that holds {@code name} (for a single file, that file). */
    Path fileOf(String name);

    /** The string metadata stored with the tensors ({@code __metadata__}, or an index's {@code metadata}). */
    Map<String, String> metadata();

    /** The tensor's bytes, little-endian and read-only, mapped straight from the file (no copy). */
    ByteBuffer rawBytes(String name);

    /** The tensor's values widened (or, for F64 and wide integers, rounded) to float, row-major. */
    default float[] readFloats(String name) {
        return TensorCodec.toFloats(info(name), rawBytes(name));
    }

    /** The values of an integer or BOOL tensor, exactly; a float tensor is refused rather than rounded. */
    default long[] readLongs(String name) {
        TensorInfo info = info(name);
        if (info.dtype().isFloatingPoint()) {
            throw new SafetensorsException(fileOf(name), "tensor " + SafetensorsException.quote(name) + " is "
                    + info.dtype().safetensorsName() + ", not an integer tensor");
        }
        return TensorCodec.toLongs(info, rawBytes(name));
    }

    /**
     * The tensor as a DJL array of type {@code target}, owned by {@code manager}. BF16 data is widened in Java
     * first; asking for a BFLOAT16 or INT16 array is refused, because DJL aborts the JVM on those types.
     */
    default NDArray toNDArray(NDManager manager, String name, DataType target) {
        return NDArrayBridge.load(manager, this, name, target);
    }

    /** The tensor in its natural DJL type ({@link NDArrayBridge#naturalType}: BF16 becomes FLOAT32). */
    default NDArray toNDArray(NDManager manager, String name) {
        return toNDArray(manager, name, NDArrayBridge.naturalType(info(name).dtype()));
    }

    @Override
    void close();
}
