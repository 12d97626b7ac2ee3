package io.moslora.engine.onnx;

import io.moslora.engine.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An ONNX {@code TensorProto} (the {@code input_N.pb} / {@code output_N.pb} files of ONNX's operator test
 * data), read by hand from the protobuf wire format. Float, double, int32/int64 and bool tensors, stored
 * in typed fields or in {@code raw_data}; values are kept as doubles or longs.
 */
public record OnnxTensor(String name, long[] dims, DataType dataType, double[] reals, long[] integers) {

    /** ONNX {@code TensorProto.DataType} codes this reader understands. */
    public enum DataType {
        FLOAT(1, 4), UINT8(2, 1), INT8(3, 1), INT16(5, 2), INT32(6, 4), INT64(7, 8), BOOL(9, 1), DOUBLE(11, 8);

        final int code;
        final int bytes;

        DataType(int code, int bytes) {
            this.code = code;
            this.bytes = bytes;
        }

        boolean isReal() {
            return this == FLOAT || this == DOUBLE;
        }

        static DataType of(int code, String source) {
            for (DataType t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            throw new OnnxFormatException(source + ": data_type " + code + " is not supported");
        }
    }

    // TensorProto field numbers
    private static final int DIMS = 1;
    private static final int DATA_TYPE = 2;
    private static final int FLOAT_DATA = 4;
    private static final int INT32_DATA = 5;
    private static final int INT64_DATA = 7;
    private static final int NAME = 8;
    private static final int RAW_DATA = 9;
    private static final int DOUBLE_DATA = 10;

    public static OnnxTensor read(Path file) {
        try {
            return parse(ByteBuffer.wrap(Files.readAllBytes(file)), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static OnnxTensor parse(ByteBuffer bytes, String source) {
        ProtoReader in = new ProtoReader(bytes, source);
        LongList dims = new LongList();
        LongList ints = new LongList();
        DoubleList reals = new DoubleList();
        ByteBuffer raw = null;
        String name = "";
        int typeCode = 0;
        while (in.hasMore()) {
            int[] key = in.key();
            int field = key[0];
            int wire = key[1];
            switch (field) {
                case DIMS -> readLongs(in, wire, dims);
                case DATA_TYPE -> typeCode = (int) in.varint();
                case INT32_DATA, INT64_DATA -> readLongs(in, wire, ints);
                case FLOAT_DATA -> {
                    if (wire == ProtoReader.LENGTH_DELIMITED) {
                        ByteBuffer b = in.bytes();
                        while (b.remaining() >= 4) {
                            reals.add(b.getFloat());
                        }
                    } else {
                        reals.add(Float.intBitsToFloat(in.fixed32()));
                    }
                }
                case DOUBLE_DATA -> {
                    if (wire == ProtoReader.LENGTH_DELIMITED) {
                        ByteBuffer b = in.bytes();
                        while (b.remaining() >= 8) {
                            reals.add(b.getDouble());
                        }
                    } else {
                        reals.add(Double.longBitsToDouble(in.fixed64()));
                    }
                }
                case NAME -> name = java.nio.charset.StandardCharsets.UTF_8.decode(in.bytes()).toString();
                case RAW_DATA -> raw = in.bytes();
                default -> in.skip(wire);
            }
        }
        DataType type = DataType.of(typeCode, source);
        long[] shape = dims.toArray();
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new OnnxFormatException(source + ": negative dimension in dims " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, d);
        }
        if (raw != null) {
            if (raw.remaining() != count * type.bytes) {
                throw new OnnxFormatException(source + ": raw_data has " + raw.remaining() + " bytes, dims "
                        + Arrays.toString(shape) + " of " + type + " need " + count * type.bytes);
            }
            decodeRaw(raw, type, reals, ints);
        }
        int have = type.isReal() ? reals.size : ints.size;
        if (have != count) {
            throw new OnnxFormatException(source + ": " + have + " values for dims " + Arrays.toString(shape));
        }
        return new OnnxTensor(name, shape, type, type.isReal() ? reals.toArray() : null,
                type.isReal() ? null : ints.toArray());
    }

    public float[] floats() {
        if (!dataType.isReal()) {
            throw new IllegalStateException(name + " is " + dataType + ", not a float tensor");
        }
        float[] out = new float[reals.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) reals[i];
        }
        return out;
    }

    public long[] longs() {
        if (dataType.isReal()) {
            throw new IllegalStateException(name + " is " + dataType + ", not an integer tensor");
        }
        return integers.clone();
    }

    public Shape shape() {
        return new Shape(dims);
    }

    /** As a DJL array: float32 for FLOAT/DOUBLE, int64 for the integer types, boolean for BOOL. */
    public NDArray toNDArray(NDManager manager) {
        if (dataType.isReal()) {
            return OwnedArrays.create(manager, floats(), shape());
        }
        if (dataType == DataType.BOOL) {
            boolean[] b = new boolean[integers.length];
            for (int i = 0; i < b.length; i++) {
                b[i] = integers[i] != 0;
            }
            return OwnedArrays.create(manager, b, shape());
        }
        return OwnedArrays.create(manager, integers, shape());
    }

    private static void readLongs(ProtoReader in, int wire, LongList out) {
        if (wire == ProtoReader.LENGTH_DELIMITED) {
            ProtoReader packed = new ProtoReader(in.bytes(), "packed");
            while (packed.hasMore()) {
                out.add(packed.varint());
            }
        } else {
            out.add(in.varint());
        }
    }

    private static void decodeRaw(ByteBuffer raw, DataType type, DoubleList reals, LongList ints) {
        while (raw.hasRemaining()) {
            switch (type) {
                case FLOAT -> reals.add(raw.getFloat());
                case DOUBLE -> reals.add(raw.getDouble());
                case INT64 -> ints.add(raw.getLong());
                case INT32 -> ints.add(raw.getInt());
                case INT16 -> ints.add(raw.getShort());
                case INT8 -> ints.add(raw.get());
                case UINT8, BOOL -> ints.add(raw.get() & 0xFF);
                default -> throw new AssertionError(type);
            }
        }
    }

    private static final class LongList {
        long[] data = new long[16];
        int size;

        void add(long v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }

    private static final class DoubleList {
        double[] data = new double[16];
        int size;

        void add(double v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        double[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
