package io.moslora.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
    @TempDir Path dir;

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }

    @Test
    void everyDtypeRoundTripsBitExact() {
        Random random = new Random(7);
        SafetensorsWriter writer = new SafetensorsWriter().putMetadata("format", "pt").putMetadata("step", "12");
        Map<DType, byte[]> written = new java.util.EnumMap<>(DType.class);
        for (DType d : DType.values()) {
            // arbitrary bit patterns: NaN payloads, subnormals and BOOL bytes other than 0/1 must survive untouched
            byte[] data = randomBytes(random, 2 * 3 * d.byteSize());
            written.put(d, data);
            writer.add("t." + d.safetensorsName(), d, new long[] {2, 3}, data);
        }
        writer.add("scalar", DType.F32, new long[] {}, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, 2.5f));
        writer.add("empty", DType.BF16, new long[] {4, 0}, new byte[0]);
        Path file = dir.resolve("all.safetensors");
        writer.write(file);

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.metadata()).containsExactly(Map.entry("format", "pt"), Map.entry("step", "12"));
            assertThat(f.names()).hasSize(DType.values().length + 2).startsWith("t.F64", "t.F32");
            for (DType d : DType.values()) {
                TensorInfo info = f.info("t." + d.safetensorsName());
                assertThat(info.dtype()).isEqualTo(d);
                assertThat(info.shape()).containsExactly(2, 3);
                assertThat(bytesOf(f.rawBytes(info.name()))).isEqualTo(written.get(d));
                assertThat(f.rawBytes(info.name()).isReadOnly()).isTrue();
                assertThat(f.rawBytes(info.name()).order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            }
            assertThat(f.info("scalar").shape()).isEmpty();
            assertThat(f.readFloats("scalar")).containsExactly(2.5f);
            assertThat(f.info("empty").numel()).isZero();
            assertThat(f.readFloats("empty")).isEmpty();
        }
    }

    @Test
    void headerIsCompactJsonPaddedToEightBytesWithTheMetadataFirst() throws IOException {
        Path file = dir.resolve("tiny.safetensors");
        new SafetensorsWriter().putMetadata("format", "pt")
                .addFloats("a", new long[] {2}, new float[] {1f, -2f}, DType.F32)
                .add("b", DType.U8, new long[] {3}, new byte[] {1, 2, 3})
                .write(file);
        byte[] bytes = Files.readAllBytes(file);
        String json = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[8,11]}}";
        int padded = (json.length() + 7) / 8 * 8;
        ByteBuffer expected = ByteBuffer.allocate(8 + padded + 11).order(ByteOrder.LITTLE_ENDIAN);
        expected.putLong(padded).put((json + " ".repeat(padded - json.length())).getBytes(StandardCharsets.UTF_8));
        expected.putFloat(1f).putFloat(-2f).put(new byte[] {1, 2, 3});
        assertThat(bytes).isEqualTo(expected.array());
    }

    @Test
    void floatsAreStoredAsF16AndBf16WithRoundToNearestEven() {
        float[] values = {1f, 0.1f, -3.14159265f, 65519f, 1e-8f, Float.NaN, Float.NEGATIVE_INFINITY, 1.00390625f};
        Path file = dir.resolve("halves.safetensors");
        new SafetensorsWriter()
                .addFloats("f16", new long[] {8}, values, DType.F16)
                .addFloats("bf16", new long[] {2, 4}, values, DType.BF16)
                .addFloats("f32", new long[] {8}, values, DType.F32)
                .write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            // values worked out by hand: 0.1 -> 0x2e66 (f16) and 0x3dcd (bf16); 1.00390625 = 1 + 2^-8 is exact in
            // f16 and a bf16 tie that goes to the even 1.0; 65519 -> 65504; 1e-8 is below half the f16 subnormal
            assertThat(f.readFloats("f16")).containsExactly(1f, HalfFloats.f16ToFloat((short) 0x2e66),
                    HalfFloats.f16ToFloat((short) 0xc248), 65504f, 0f, Float.NaN, Float.NEGATIVE_INFINITY, 1.00390625f);
            assertThat(f.readFloats("bf16")).containsExactly(1f, Float.intBitsToFloat(0x3dcd0000),
                    Float.intBitsToFloat(0xc0490000), 65536f, Float.intBitsToFloat(0x322c0000), Float.NaN,
                    Float.NEGATIVE_INFINITY, 1f);
            assertThat(f.readFloats("f32")).containsExactly(values);
            assertThat(f.rawBytes("f16").getShort(2)).isEqualTo((short) 0x2e66);
        }
    }

    @Test
    void djlArraysGoInAndComeOutExactly() {
        Path file = dir.resolve("djl.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray matrix = m.arange(6f).reshape(2, 3).transpose(); // not contiguous: must still be row-major
            NDArray half = m.create(new float[] {0.5f, -1.25f, 65504f}).toType(DataType.FLOAT16, false);
            NDArray ids = m.create(new long[] {Long.MIN_VALUE, 3, Long.MAX_VALUE}, new Shape(1, 3));
            new SafetensorsWriter().add("matrix", matrix).add("half", half).add("ids", ids).write(file);

            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                assertThat(f.info("matrix").shape()).containsExactly(3, 2);
                assertThat(f.readFloats("matrix")).containsExactly(0, 3, 1, 4, 2, 5);
                assertThat(f.info("half").dtype()).isEqualTo(DType.F16);
                assertThat(f.readLongs("ids")).containsExactly(Long.MIN_VALUE, 3, Long.MAX_VALUE);

                NDArray back = f.toNDArray(m, "matrix");
                assertThat(back.getDataType()).isEqualTo(DataType.FLOAT32);
                assertThat(back.getShape()).isEqualTo(new Shape(3, 2));
                assertThat(back.toFloatArray()).containsExactly(0, 3, 1, 4, 2, 5);
                NDArray halfBack = f.toNDArray(m, "half");
                assertThat(halfBack.getDataType()).isEqualTo(DataType.FLOAT16);
                assertThat(halfBack.toType(DataType.FLOAT32, false).toFloatArray()).containsExactly(0.5f, -1.25f, 65504f);
                assertThat(f.toNDArray(m, "ids").toLongArray()).containsExactly(Long.MIN_VALUE, 3, Long.MAX_VALUE);
                assertThat(f.toNDArray(m, "ids", DataType.FLOAT64).toDoubleArray()).containsExactly(-0x1p63, 3, 0x1p63);
                // the array owns its memory: changing it in place must not touch (or crash on) the read-only mapping
                back.addi(1);
                assertThat(f.readFloats("matrix")).containsExactly(0, 3, 1, 4, 2, 5);
            }
        }
    }

    @Test
    void bf16ReachesDjlOnlyWidened() {
        Path file = dir.resolve("bf16.safetensors");
        short[] bits = {0x3f80, (short) 0xc040, 0x4049, 0x0001};
        ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (short b : bits) {
            data.putShort(b);
        }
        new SafetensorsWriter().add("w", DType.BF16, new long[] {2, 2}, data.flip()).write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file); NDManager m = NDManager.newBaseManager()) {
            NDArray natural = f.toNDArray(m, "w");
            assertThat(natural.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(natural.toFloatArray()).containsExactly(1f, -3f, 3.140625f, 0x1p-133f);
            NDArray half = f.toNDArray(m, "w", DataType.FLOAT16);
            assertThat(half.toType(DataType.FLOAT32, false).toFloatArray()).containsExactly(1f, -3f, 3.140625f, 0f);
            assertThatThrownBy(() -> f.toNDArray(m, "w", DataType.BFLOAT16))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BFLOAT16");
            assertThatThrownBy(() -> f.toNDArray(m, "w", DataType.INT64))
                    .isInstanceOf(SafetensorsException.class).hasMessageContaining("cannot be loaded as INT64");
        }
    }

    @Test
    void everyIntegerDtypeLoadsIntoDjlInItsOwnType() {
        Path file = dir.resolve("ints.safetensors");
        new SafetensorsWriter()
                .add("i32", DType.I32, new long[] {2}, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-7).putInt(9).flip())
                .add("i8", DType.I8, new long[] {2}, new byte[] {-128, 127})
                .add("u8", DType.U8, new long[] {2}, new byte[] {(byte) 255, 1})
                .add("mask", DType.BOOL, new long[] {2}, new byte[] {1, 0})
                .add("f64", DType.F64, new long[] {1}, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).flip())
                .write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file); NDManager m = NDManager.newBaseManager()) {
            assertThat(f.toNDArray(m, "i32").toIntArray()).containsExactly(-7, 9);
            assertThat(f.toNDArray(m, "i8").toByteArray()).containsExactly(-128, 127);
            assertThat(f.toNDArray(m, "u8").toUint8Array()).containsExactly(255, 1);
            assertThat(f.toNDArray(m, "mask").toBooleanArray()).containsExactly(true, false);
            assertThat(f.toNDArray(m, "mask", DataType.INT64).toLongArray()).containsExactly(1, 0);
            assertThat(f.toNDArray(m, "u8", DataType.INT32).toIntArray()).containsExactly(255, 1);
            assertThat(f.toNDArray(m, "u8", DataType.FLOAT32).toFloatArray()).containsExactly(255f, 1f);
            assertThat(f.toNDArray(m, "f64").toDoubleArray()).containsExactly(0.1);
            // INT16 aborts the JVM in DJL like BFLOAT16: refused before the engine is called
            assertThatThrownBy(() -> f.toNDArray(m, "i32", DataType.INT16))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("INT16");
            assertThat(f.readFloats("f64")).containsExactly(0.1f);
        }
    }

    @Test
    void aWrongByteCountFailsTheWriteAndKeepsTheOldFile() throws IOException {
        Path file = dir.resolve("keep.safetensors");
        new SafetensorsWriter().add("x", DType.U8, new long[] {1}, new byte[] {42}).write(file);
        byte[] before = Files.readAllBytes(file);
        SafetensorsWriter bad = new SafetensorsWriter()
                .add("x", DType.F32, new long[] {4}, out -> out.write(ByteBuffer.allocate(12)));
        assertThatThrownBy(() -> bad.write(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 16 bytes but its data has 12");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
        assertThatThrownBy(() -> new SafetensorsWriter().add("y", DType.F32, new long[] {2}, new byte[7]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SafetensorsWriter().add("__metadata__", DType.U8, new long[] {0}, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void copyingTensorsBetweenFilesKeepsTheirBytes() {
        Path a = dir.resolve("a.safetensors");
        Path b = dir.resolve("b.safetensors");
        byte[] data = randomBytes(new Random(3), 64);
        new SafetensorsWriter().add("w", DType.BF16, new long[] {4, 8}, data).write(a);
        try (SafetensorsFile src = SafetensorsFile.open(a)) {
            new SafetensorsWriter().copyFrom(src, "w", "renamed.w").write(b);
        }
        try (SafetensorsFile f = SafetensorsFile.open(b)) {
            assertThat(f.names()).containsExactly("renamed.w");
            assertThat(bytesOf(f.rawBytes("renamed.w"))).isEqualTo(data);
        }
    }
}
