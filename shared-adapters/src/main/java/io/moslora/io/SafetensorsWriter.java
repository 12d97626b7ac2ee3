package io.moslora.io;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects tensors (by reference, not copied) and writes them as one safetensors file through
 * {@link AtomicFiles}. The header is computed up front from dtypes and shapes; data is then streamed tensor by
 * tensor, so memory stays bounded by the largest tensor whatever the file size. Tensors are laid out in the order
 * they were added; the header is padded with spaces to a multiple of 8 bytes, as the Python library does.
 */
public final class SafetensorsWriter {
    /** Produces exactly a tensor's little-endian bytes into a channel when the file is written. */
    @FunctionalInterface
    public interface TensorBytes {
        void writeTo(WritableByteChannel out) throws IOException;
    }

    /** A tensor waiting to be written: where its bytes will come from and how many there must be. */
    public record PendingTensor(String name, DType dtype, long[] shape, long byteSize, TensorBytes data) {
        public PendingTensor {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }
    }

    /** Told after each tensor reaches the file, so a command can drive a progress bar over a long save. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (tensor, bytes) -> { };

        void tensorWritten(PendingTensor tensor, long tensorBytes);
    }

    private static final JsonMapper JSON = new JsonMapper();
    private static final int CHUNK_ELEMENTS = 1 << 18;

    private final Map<String, PendingTensor> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter putMetadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public SafetensorsWriter putAllMetadata(Map<String, String> entries) {
        metadata.putAll(entries);
        return this;
    }

    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    public List<PendingTensor> tensors() {
        return List.copyOf(tensors.values());
    }

    /** The general form: {@code data} must produce exactly shape × dtype bytes when the file is written. */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, TensorBytes data) {
        if (name.equals(SafetensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException("tensor name __metadata__ is reserved by the format");
        }
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor " + name + " was already added");
        }
        tensors.put(name, new PendingTensor(name, dtype, shape, byteSize(name, dtype, shape), data));
        return this;
    }

    private static long byteSize(String name, DType dtype, long[] shape) {
        long numel = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor " + name + " has a negative dimension");
            }
            numel = Math.multiplyExact(numel, d);
        }
        return Math.multiplyExact(numel, (long) dtype.byteSize());
    }

    private static void checkLength(String name, DType dtype, long[] shape, long actual) {
        long needed = byteSize(name, dtype, shape);
        if (actual != needed) {
            throw new IllegalArgumentException("tensor " + name + " of shape " + java.util.Arrays.toString(shape)
                    + " and dtype " + dtype.safetensorsName() + " needs " + needed + " bytes but its data has " + actual);
        }
    }

    /** Little-endian bytes already in memory (the buffer's remaining bytes; it is not consumed). */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, ByteBuffer littleEndianBytes) {
        ByteBuffer view = littleEndianBytes.duplicate();
        checkLength(name, dtype, shape, view.remaining());
        return add(name, dtype, shape, out -> writeFully(out, view.duplicate()));
    }

    public SafetensorsWriter add(String name, DType dtype, long[] shape, byte[] littleEndianBytes) {
        return add(name, dtype, shape, ByteBuffer.wrap(littleEndianBytes));
    }

    /** Float values stored as F32, F16 or BF16 (the last two rounded to nearest even), encoded in chunks. */
    public SafetensorsWriter addFloats(String name, long[] shape, float[] values, DType storedAs) {
        if (storedAs != DType.F32 && storedAs != DType.F16 && storedAs != DType.BF16) {
            throw new IllegalArgumentException("floats can be stored as F32, F16 or BF16, not " + storedAs);
        }
        checkLength(name, storedAs, shape, (long) values.length * storedAs.byteSize());
        return add(name, storedAs, shape, out -> {
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK_ELEMENTS * storedAs.byteSize());
            for (int from = 0; from < values.length; from += CHUNK_ELEMENTS) {
                int to = Math.min(values.length, from + CHUNK_ELEMENTS);
                chunk.clear();
                TensorCodec.encodeFloats(values, from, to, storedAs, chunk);
                writeFully(out, chunk.flip());
            }
        });
    }

    /** A DJL array in its own type; its bytes are copied off the device only when the file is written. */
    public SafetensorsWriter add(String name, NDArray array) {
        DType dtype = NDArrayBridge.dtypeOf(array.getDataType());
        return add(name, dtype, array.getShape().getShape(),
                out -> writeFully(out, NDArrayBridge.toLittleEndianBytes(array)));
    }

    /** Copies one tensor's bytes from another file, unchanged, when this file is written. */
    public SafetensorsWriter copyFrom(TensorReader source, String name) {
        return copyFrom(source, name, name);
    }

    public SafetensorsWriter copyFrom(TensorReader source, String name, String newName) {
        TensorInfo info = source.info(name);
        return add(newName, info.dtype(), info.shape(), out -> writeFully(out, source.rawBytes(name)));
    }

    /** The header JSON, padded with spaces to a multiple of 8 bytes, for tensors laid out in order. */
    public byte[] headerBytes() {
        return headerBytes(metadata, tensors.values());
    }

    static byte[] headerBytes(Map<String, String> metadata, Iterable<PendingTensor> tensors) {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (PendingTensor t : tensors) {
            ObjectNode entry = root.putObject(t.name());
            entry.put("dtype", t.dtype().safetensorsName());
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + t.byteSize());
            offset += t.byteSize();
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a safetensors header", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = java.util.Arrays.copyOf(json, padded);
        java.util.Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** Writes the file atomically: a crash or a bad tensor leaves whatever was at {@code target} before. */
    public void write(Path target) {
        write(target, Progress.NONE);
    }

    public void write(Path target, Progress progress) {
        writeFile(target, metadata, List.copyOf(tensors.values()), progress);
    }

    /** Bytes of tensor data in all added tensors (what a progress bar counts to). */
    public long totalBytes() {
        long total = 0;
        for (PendingTensor t : tensors.values()) {
            total += t.byteSize();
        }
        return total;
    }

    static void writeFile(Path target, Map<String, String> metadata, List<PendingTensor> tensors, Progress progress) {
        byte[] header = headerBytes(metadata, tensors);
        AtomicFiles.write(target, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
                writeFully(ch, length.flip());
                writeFully(ch, ByteBuffer.wrap(header));
                for (PendingTensor t : tensors) {
                    CountingChannel counted = new CountingChannel(ch);
                    t.data().writeTo(counted);
                    checkLength(t.name(), t.dtype(), t.shape, counted.count);
                    progress.tensorWritten(t, t.byteSize());
                }
                ch.force(true);
            }
        });
    }

    static void writeFully(WritableByteChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    /** Counts what a tensor's producer writes, so a wrong byte count is caught before the file is renamed. */
    private static final class CountingChannel implements WritableByteChannel {
        private final WritableByteChannel inner;
        long count;

        CountingChannel(WritableByteChannel inner) {
            this.inner = inner;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = inner.write(src);
            count += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }

        @Override
        public void close() {
            // the file channel is closed by the writer, not by a tensor's producer
        }
    }
}
