package io.moslora.quant;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor as a file stores it: safetensors dtype string ({@code "U8"}, {@code "F32"}, {@code "F16"},
 * {@code "BF16"}, ...), shape and little-endian bytes. The neutral exchange type between the bitsandbytes state
 * conversion and whatever reads or writes the file.
 */
public record RawTensor(String dtype, long[] shape, byte[] data) {
    public RawTensor {
        shape = shape.clone();
    }

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public static RawTensor u8(byte[] data, long... shape) {
        return new RawTensor("U8", shape, data);
    }

    public static RawTensor f32(float[] values, long... shape) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return new RawTensor("F32", shape, buf.array());
    }

    /** Copies tensor {@code name} out of a file as it is stored. */
    public static RawTensor read(io.moslora.io.TensorReader reader, String name) {
        io.moslora.io.TensorInfo info = reader.info(name);
        ByteBuffer bytes = reader.rawBytes(name);
        byte[] data = new byte[bytes.remaining()];
        bytes.get(data);
        return new RawTensor(info.dtype().safetensorsName(), info.shape(), data);
    }

    /** Queues this tensor for {@code writer} under {@code name}. */
    public void addTo(io.moslora.io.SafetensorsWriter writer, String name) {
        io.moslora.io.DType d = io.moslora.io.DType.fromSafetensorsName(dtype)
                .orElseThrow(() -> new IllegalArgumentException("tensor " + name + " has unknown dtype " + dtype));
        writer.add(name, d, shape, data);
    }

    public float[] asF32() {
        if (!dtype.equals("F32")) {
            throw new IllegalArgumentException("tensor is " + dtype + ", expected F32");
        }
        float[] out = new float[data.length / 4];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawTensor t && dtype.equals(t.dtype) && Arrays.equals(shape, t.shape)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape) + " (" + data.length + " bytes)";
    }
}
