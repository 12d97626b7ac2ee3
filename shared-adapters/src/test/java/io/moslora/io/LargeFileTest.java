package io.moslora.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files over 2 GiB: made sparse (the 2.2 GB of zeros cost no disk), read through per-tensor mappings. */
class LargeFileTest {
    @TempDir Path dir;

    private static final long PAD = 2_200_000_000L;

    @Test
    void aTensorStartingBeyondTwoGibReadsExactly() throws IOException {
        Path file = dir.resolve("big.safetensors");
        String header = "{\"__metadata__\":{\"format\":\"pt\"},\"pad\":{\"dtype\":\"U8\",\"shape\":[" + PAD
                + "],\"data_offsets\":[0," + PAD + "]},\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[" + PAD
                + "," + (PAD + 12) + "]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        long dataStart = 8 + json.length;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            raf.write(json);
            raf.setLength(dataStart + PAD + 12);
            raf.seek(dataStart + PAD);
            raf.write(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f)
                    .putFloat(Float.MAX_VALUE).array());
        }
        assertThat(Files.size(file)).isGreaterThan(1L << 31);

        try (SafetensorsFile f = SafetensorsFile.open(file); NDManager m = NDManager.newBaseManager()) {
            assertThat(f.names()).containsExactly("pad", "w");
            assertThat(f.info("w").begin()).isEqualTo(dataStart + PAD);
            assertThat(f.readFloats("w")).containsExactly(1.5f, -2f, Float.MAX_VALUE);
            assertThat(f.toNDArray(m, "w").toFloatArray()).containsExactly(1.5f, -2f, Float.MAX_VALUE);
            // one tensor over 2 GiB cannot be one Java buffer: a clear error, not a crash
            assertThatThrownBy(() -> f.rawBytes("pad")).isInstanceOf(SafetensorsException.class)
                    .hasMessageContaining("tensor 'pad' is 2200000000 bytes; a single tensor must be smaller than 2 GiB");
        }
        // the same file, cut short by one byte, is refused on open
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(dataStart + PAD + 11);
        }
        assertThatThrownBy(() -> SafetensorsFile.open(file)).isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("tensor 'w': data_offsets [2200000000, 2200000012] reach past the end");
    }
}
