package io.moslora.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz-style: many damaged variants of a valid file. Each one must either read cleanly or fail with a
 * SafetensorsException whose message is one line starting with the file — never another exception, a JVM
 * crash, a hang or a huge allocation.
 */
class SafetensorsCorruptionTest {
    @TempDir Path dir;
    private Path file;
    private byte[] valid;
    private int variant;

    @BeforeEach
    void writeValidFile() throws IOException {
        Path source = dir.resolve("valid.safetensors");
        new SafetensorsWriter().putMetadata("format", "pt")
                .addFloats("w", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}, DType.F32)
                .addFloats("h", new long[] {3}, new float[] {0.5f, -1, 2}, DType.BF16)
                .add("ids", DType.I64, new long[] {2}, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(5).putLong(-9).flip())
                .add("empty", DType.F16, new long[] {0}, new byte[0])
                .add("mask", DType.BOOL, new long[] {}, new byte[] {1})
                .write(source);
        valid = Files.readAllBytes(source);
        file = dir.resolve("fuzzed.safetensors");
    }

    /** Opens {@code content} and reads every tensor every way; returns the error, or null if it all read. */
    private SafetensorsException readAll(byte[] content) throws IOException {
        // a fresh name per variant: rewriting one file in place costs milliseconds of ext4 truncation each time
        Files.deleteIfExists(file);
        file = dir.resolve("fuzzed-" + (variant++) + ".safetensors");
        Files.write(file, content);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : f.names()) {
                f.rawBytes(name);
                f.readFloats(name);
                if (!f.info(name).dtype().isFloatingPoint()) {
                    f.readLongs(name);
                }
            }
            return null;
        } catch (SafetensorsException e) {
            assertThat(e.getMessage()).startsWith(file + ": ").doesNotContain("\n").doesNotContain("\r");
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected a SafetensorsException, got " + t, t);
        }
    }

    private void assertRejected(byte[] content, String expectedFragment) throws IOException {
        SafetensorsException e = readAll(content);
        if (e == null) {
            fail("accepted a damaged file; expected an error containing: " + expectedFragment);
        }
        assertThat(e.getMessage()).contains(expectedFragment);
    }

    private static byte[] fileWithHeader(String header, int dataBytes) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).array();
    }

    private static byte[] withHeaderLength(byte[] content, long length) {
        byte[] copy = content.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        return copy;
    }

    @Test
    void theUndamagedFileReads() throws IOException {
        assertThat(readAll(valid)).isNull();
    }

    @Test
    void everyTruncationIsRejected() throws IOException {
        for (int length = 0; length < valid.length; length++) {
            SafetensorsException e = readAll(java.util.Arrays.copyOf(valid, length));
            assertThat(e).as("truncated to %d of %d bytes", length, valid.length).isNotNull();
        }
        assertRejected(java.util.Arrays.copyOf(valid, 5), "shorter than the 8-byte header length");
        assertRejected(java.util.Arrays.copyOf(valid, 40), "reaches beyond the end of the file");
        assertRejected(java.util.Arrays.copyOf(valid, valid.length - 1), "file truncated?");
    }

    @Test
    void everyFlippedHeaderByteIsReadOrRejectedCleanly() throws IOException {
        int headerEnd = 8 + (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        int rejected = 0;
        for (int pos = 0; pos < headerEnd; pos++) {
            for (int mask : new int[] {0x01, 0x02, 0x10, 0x20, 0x40, 0x80, 0xff}) {
                byte[] damaged = valid.clone();
                damaged[pos] ^= (byte) mask;
                if (readAll(damaged) != null) {
                    rejected++;
                }
            }
        }
        // most flips break the file; a few only rename a tensor or change metadata and still read
        assertThat(rejected).isGreaterThan(headerEnd * 7 / 2);
    }

    @Test
    void randomGarbageIsRejectedCleanly() throws IOException {
        Random random = new Random(11);
        for (int i = 0; i < 300; i++) {
            byte[] junk = new byte[random.nextInt(300)];
            random.nextBytes(junk);
            if (junk.length >= 8 && random.nextBoolean()) { // a plausible header length, garbage after it
                ByteBuffer.wrap(junk).order(ByteOrder.LITTLE_ENDIAN).putLong(0, random.nextInt(junk.length - 7));
            }
            assertThat(readAll(junk)).as("random file %d", i).isNotNull();
        }
        // random splices of the valid header: valid JSON pieces in the wrong places
        String header = new String(valid, 8, (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(0),
                StandardCharsets.UTF_8);
        for (int i = 0; i < 300; i++) {
            int a = random.nextInt(header.length());
            int b = random.nextInt(header.length());
            String spliced = header.substring(0, Math.min(a, b)) + header.substring(Math.max(a, b));
            readAll(fileWithHeader(spliced, 64));
        }
    }

    @Test
    void absurdHeaderLengthsAllocateNothing() throws IOException {
        assertRejected(withHeaderLength(valid, Long.MAX_VALUE), "header length 9223372036854775807 reaches beyond");
        assertRejected(withHeaderLength(valid, -1), "header length 18446744073709551615 reaches beyond");
        assertRejected(withHeaderLength(valid, valid.length - 7), "reaches beyond the end of the file");
        // a sparse 150 MB file whose header length fits the file but is far beyond any real header
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(150_000_000L);
            raf.seek(0);
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 149_000_000L).array());
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            fail("opened " + f);
        } catch (SafetensorsException e) {
            assertThat(e.getMessage()).contains("exceeds the limit of 100000000 bytes");
        }
    }

    @Test
    void malformedHeadersNameWhatIsWrong() throws IOException {
        String ok = "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]";
        assertRejected(fileWithHeader("", 0), "header is empty");
        assertRejected(fileWithHeader("        ", 0), "header is empty");
        assertRejected(fileWithHeader("hello world", 0), "header is not valid JSON");
        assertRejected(fileWithHeader("{\"a\":{" + ok + "}", 8), "header is not valid JSON");
        assertRejected(fileWithHeader("{\"a\":{" + ok + "}} {}", 8), "header is not valid JSON");
        assertRejected(fileWithHeader("[1,2]", 0), "not an object (found array");
        assertRejected(fileWithHeader("\"text\"", 0), "not an object");
        assertRejected(fileWithHeader("null", 0), "not an object");
        assertRejected(fileWithHeader("{\"a\":5}", 0), "tensor 'a' must be an object");
        assertRejected(fileWithHeader("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "field dtype is missing");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "dtype is not a string");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2),
                "unknown dtype 'F8_E4M3' (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8), "field shape is missing");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", 8),
                "field shape must be an array");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8),
                "shape[0] must be an integer");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", 8),
                "shape[0] must be an integer");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8),
                "shape[0] is negative");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", 8),
                "shape[0] must be an integer");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1e400],\"data_offsets\":[0,8]}}", 8),
                "shape[0] must be an integer");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8),
                "has more elements than any file can hold");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "field data_offsets is missing");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", 8),
                "must hold exactly 2 integers, found more");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0]}}", 0),
                "must hold exactly 2 integers, found 1");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8),
                "end before they begin");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8),
                "data_offsets[0] is negative");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "shape [3] of F32 needs 12 bytes but data_offsets [0, 8] span 8");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 8),
                "reach past the end of the data, which holds only 8 bytes");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"F64\",\"shape\":[125000000000000000],"
                + "\"data_offsets\":[0,1000000000000000000]}}", 8), "reach past the end of the data");
        assertRejected(fileWithHeader("{\"a\":{" + ok + "},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),
                "tensors 'a' [0, 8] and 'b' [4, 12] overlap");
        assertRejected(fileWithHeader("{\"a\":{" + ok + "},\"a\":{" + ok + "}}", 8), "Duplicate field 'a'");
        assertRejected(fileWithHeader("{\"__metadata__\":[1],\"a\":{" + ok + "}}", 8), "__metadata__ must be an object");
        assertRejected(fileWithHeader("{\"__metadata__\":{\"step\":3},\"a\":{" + ok + "}}", 8),
                "__metadata__ entry 'step' must be a string");
        assertRejected(fileWithHeader("{\"line\\nbreak\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "tensor 'line\\u000abreak'");
        assertRejected(fileWithHeader("[".repeat(100_000) + "]".repeat(100_000), 0), "not an object (found array)");
        // deep nesting inside a field we skip: the parser's depth limit ends it, not the stack
        assertRejected(fileWithHeader("{\"a\":{" + ok + ",\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}}", 8),
                "header is not valid JSON");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"U8\",\"shape\":[" + "1,".repeat(2000) + "1],"
                + "\"data_offsets\":[0,1]}}", 1), "field shape must hold at most 1024 integers");
        assertRejected(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[" + "9".repeat(5000) + "],\"data_offsets\":[0,8]}}", 8),
                "header is not valid JSON");
        byte[] badUtf8 = fileWithHeader("{\"a\":{" + ok + "}}", 8);
        badUtf8[10] = (byte) 0xC3; // a lead byte followed by an ASCII byte
        assertRejected(badUtf8, "not valid UTF-8");
    }

    @Test
    void validEdgeCasesStillRead() throws IOException {
        String ok = "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]";
        // empty tensors may share offsets with anything; unknown fields inside an entry are ignored; a gap is legal
        assertThat(readAll(fileWithHeader("{\"a\":{" + ok + ",\"extra\":1},\"e\":{\"dtype\":\"U8\",\"shape\":[0],"
                + "\"data_offsets\":[4,4]},\"g\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[10,12]}}", 12))).isNull();
        assertThat(readAll(fileWithHeader("{}", 0))).isNull();
        assertThat(readAll(fileWithHeader("  {\"__metadata__\":null}  ", 0))).isNull();
    }
}
