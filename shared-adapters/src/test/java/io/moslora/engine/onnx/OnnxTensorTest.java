package io.moslora.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OnnxTensorTest {
    /** Hand-encoded TensorProto: dims [2,2] (packed), data_type FLOAT, name "x", raw_data. */
    private static byte[] floatTensor(float... values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x0A, 0x02, 0x02, 0x02}); // field 1, packed varints 2, 2
        out.writeBytes(new byte[] {0x10, 0x01}); // field 2 = 1 (FLOAT)
        out.writeBytes(new byte[] {0x42, 0x01, 'x'}); // field 8 "x"
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putFloat(v);
        }
        out.write(0x4A); // field 9, length-delimited
        out.write(raw.capacity());
        out.writeBytes(raw.array());
        return out.toByteArray();
    }

    @Test
    void readsAHandEncodedTensor() {
        OnnxTensor t = OnnxTensor.parse(ByteBuffer.wrap(floatTensor(1f, -2f, 0.5f, 3f)), "mem");
        assertThat(t.name()).isEqualTo("x");
        assertThat(t.dims()).containsExactly(2, 2);
        assertThat(t.floats()).containsExactly(1f, -2f, 0.5f, 3f);
    }

    @Test
    void readsRealOnnxFiles() {
        // SoftmaxCrossEntropyLoss test: x float [3,5], labels int64 [3], scalar loss
        OnnxTestCase t = OnnxTestCase.node("test_sce_mean_no_weight_ii");
        assertThat(t.input(0).dims()).containsExactly(3, 5);
        assertThat(t.input(0).dataType()).isEqualTo(OnnxTensor.DataType.FLOAT);
        assertThat(t.input(1).dataType()).isEqualTo(OnnxTensor.DataType.INT64);
        assertThat(t.input(1).longs()).hasSize(3);
        assertThat(java.util.Arrays.stream(t.input(1).longs()).allMatch(l -> l >= 0 && l < 5)).isTrue();
        assertThat(t.output(0).dims()).isEmpty();
        assertThat(t.output(0).floats()).hasSize(1);
    }

    @Test
    void malformedInputGivesOneLineErrorsNamingTheFile(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        byte[] good = floatTensor(1f, 2f, 3f, 4f);
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
        Path file = dir.resolve("cut.pb");
        Files.write(file, truncated);
        assertThatThrownBy(() -> OnnxTensor.read(file)).isInstanceOf(OnnxFormatException.class)
                .hasMessageStartingWith(file.toString()).hasMessageContaining("past the end");
        byte[] wrongCount = floatTensor(1f, 2f, 3f);
        assertThatThrownBy(() -> OnnxTensor.parse(ByteBuffer.wrap(wrongCount), "three.pb"))
                .isInstanceOf(OnnxFormatException.class).hasMessageContaining("three.pb: raw_data has 12 bytes");
        byte[] badType = good.clone();
        badType[5] = 99; // data_type 99
        assertThatThrownBy(() -> OnnxTensor.parse(ByteBuffer.wrap(badType), "t.pb"))
                .isInstanceOf(OnnxFormatException.class).hasMessageContaining("data_type 99");
        byte[] endless = {(byte) 0x80, (byte) 0x80};
        assertThatThrownBy(() -> OnnxTensor.parse(ByteBuffer.wrap(endless), "v.pb"))
                .isInstanceOf(OnnxFormatException.class).hasMessageContaining("v.pb: truncated");
    }
}
