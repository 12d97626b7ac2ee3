package io.moslora.io;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads a file written by another program: fixtures/make_numpy_fixture.py (numpy only, header and bytes laid out
 * by hand). Every value below is the one that script put there.
 */
class NumpyFixtureTest {
    static Path fixture() {
        try {
            return Path.of(NumpyFixtureTest.class.getResource("/fixtures/numpy_fixture.safetensors").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The committed file is exactly what the committed script writes (checked where python3 + numpy exist). */
    @Test
    void theScriptReproducesTheCommittedFixture(@TempDir Path dir) throws Exception {
        Path script = fixture().resolveSibling("make_numpy_fixture.py");
        Path out = dir.resolve("again.safetensors");
        Process p;
        try {
            p = new ProcessBuilder("python3", script.toString(), out.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("python3 not available: " + e.getMessage());
            return;
        }
        boolean finished = p.waitFor(60, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String log = new String(p.getInputStream().readAllBytes());
        Assumptions.assumeTrue(finished && !log.contains("No module named 'numpy'"), "python3 with numpy not available");
        assertThat(p.exitValue()).as(log).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(fixture()));
    }

    @Test
    void namesFollowTheDataLayoutNotTheAlphabeticalHeader() {
        try (SafetensorsFile f = SafetensorsFile.open(fixture())) {
            assertThat(f.names()).containsExactly("f64.scalar", "i64.extremes", "f32.values", "i32.values",
                    "f16.values", "bf16.values", "i16.values", "i8.values", "u8.values", "bool.mask", "f32.empty");
            assertThat(f.metadata()).containsExactly(Map.entry("format", "pt"),
                    Map.entry("producer", "make_numpy_fixture.py"), Map.entry("note", "na\u00efve \u2713"));
            assertThat(f.dataStart()).isEqualTo(8 + 0x330);
            assertThat(f.info("bf16.values").shape()).containsExactly(2, 4);
            assertThat(f.info("bf16.values").begin()).isEqualTo(8 + 0x330 + 96);
            assertThat(f.info("f32.empty").shape()).containsExactly(0, 3);
        }
    }

    @Test
    void valuesOfEveryDtypeAreExact() {
        try (SafetensorsFile f = SafetensorsFile.open(fixture())) {
            assertThat(f.rawBytes("f64.scalar").getDouble(0)).isEqualTo(-2.5e-300);
            assertThat(f.readLongs("i64.extremes")).containsExactly(Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, (1L << 53) + 1);
            assertThat(f.readFloats("f32.values")).containsExactly(1f, -2.5f, 3.1415927f, Float.MIN_VALUE,
                    Float.POSITIVE_INFINITY, -0f);
            assertThat(Float.floatToRawIntBits(f.readFloats("f32.values")[5])).isEqualTo(0x80000000);
            assertThat(f.readLongs("i32.values")).containsExactly(Integer.MIN_VALUE, Integer.MAX_VALUE, 7);
            assertThat(f.readFloats("f16.values")).containsExactly(1f, -2f, 65504f, 0x1p-24f, 0.333251953125f,
                    Float.NEGATIVE_INFINITY);
            // bf16 from raw uint16 bits 3F80 C040 4049 0001 / 7F7F FF80 3E20 8000
            float[] bf16 = f.readFloats("bf16.values");
            assertThat(bf16).containsExactly(1f, -3f, 3.140625f, 0x1p-133f, 0x1.FEp127f, Float.NEGATIVE_INFINITY,
                    0.15625f, -0f);
            assertThat(Float.floatToRawIntBits(bf16[7])).isEqualTo(0x80000000);
            assertThat(f.readLongs("i16.values")).containsExactly(-32768, 32767, -1);
            assertThat(f.readLongs("i8.values")).containsExactly(-128, 127, 0, -5);
            assertThat(f.readLongs("u8.values")).containsExactly(0, 255, 128);
            assertThat(f.readLongs("bool.mask")).containsExactly(1, 0, 1);
            assertThat(f.readFloats("u8.values")).containsExactly(0f, 255f, 128f);
            assertThat(f.readFloats("f32.empty")).isEmpty();
        }
    }

    @Test
    void bf16FromNumpyLoadsIntoDjlWidenedExactly() {
        try (SafetensorsFile f = SafetensorsFile.open(fixture()); NDManager m = NDManager.newBaseManager()) {
            var array = f.toNDArray(m, "bf16.values");
            assertThat(array.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(array.getShape().getShape()).containsExactly(2, 4);
            assertThat(array.toFloatArray()).containsExactly(1f, -3f, 3.140625f, 0x1p-133f, 0x1.FEp127f,
                    Float.NEGATIVE_INFINITY, 0.15625f, -0f);
            assertThat(f.toNDArray(m, "i16.values").toIntArray())
                    .containsExactly(-32768, 32767, -1);
            assertThat(f.toNDArray(m, "f64.scalar").getShape().dimension()).isZero();
            assertThat(f.toNDArray(m, "f64.scalar").getDouble()).isEqualTo(-2.5e-300);
            assertThat(f.toNDArray(m, "f32.empty").getShape().getShape()).containsExactly(0, 3);
        }
    }
}
