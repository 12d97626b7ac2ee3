package io.moslora.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
    @TempDir Path dir;

    private record Result(int code, String out, String err) {}

    private static Result inspect(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new InspectCommand(), new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void jsonListsEveryTensorAndTheMetadataOfAFileWrittenByNumpy() throws Exception {
        Result r = inspect(NumpyFixtureTest.fixture().toString(), "--json");
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out().strip().lines()).hasSize(1);
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertThat(root.size()).isEqualTo(2);
        assertThat(root.get("metadata").toString())
                .isEqualTo("{\"format\":\"pt\",\"producer\":\"make_numpy_fixture.py\",\"note\":\"na\u00efve \u2713\"}");
        List<String> rows = new ArrayList<>();
        for (JsonNode t : root.get("tensors")) {
            assertThat(t.size()).isEqualTo(3);
            rows.add(t.get("name").asText() + " " + t.get("dtype").asText() + " " + t.get("shape"));
        }
        assertThat(rows).containsExactly("f64.scalar F64 []", "i64.extremes I64 [5]", "f32.values F32 [2,3]",
                "i32.values I32 [3]", "f16.values F16 [6]", "bf16.values BF16 [2,4]", "i16.values I16 [3]",
                "i8.values I8 [4]", "u8.values U8 [3]", "bool.mask BOOL [1,3]", "f32.empty F32 [0,3]");
    }

    @Test
    void textListsNameDtypeShapeAndMetadata() {
        Result r = inspect(NumpyFixtureTest.fixture().toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("11 tensors, 42 elements, 128 bytes of data")
                .contains("  format = pt")
                .containsPattern("bf16\\.values +BF16 +\\[2, 4\\]")
                .containsPattern("f64\\.scalar +F64 +\\[\\]");
    }

    @Test
    void aMalformedFileExitsOneWithOneLineNamingIt() throws Exception {
        Path bad = dir.resolve("bad.safetensors");
        byte[] good = Files.readAllBytes(NumpyFixtureTest.fixture());
        Files.write(bad, java.util.Arrays.copyOf(good, good.length - 1)); // last data byte missing
        Result r = inspect(bad.toString(), "--json");
        assertThat(r.code()).isEqualTo(Cli.USER_ERROR);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).startsWith("error: " + bad).contains("tensor 'bool.mask'").contains("truncated");

        Result missing = inspect(dir.resolve("nope.safetensors").toString());
        assertThat(missing.code()).isEqualTo(Cli.USER_ERROR);
        assertThat(missing.err()).contains("nope.safetensors: file not found");
    }

    @Test
    void aShardFolderIsListedAsOneCheckpoint() throws Exception {
        SafetensorsWriter w = new SafetensorsWriter();
        w.addFloats("a", new long[] {4}, new float[4], DType.F32);
        w.addFloats("b", new long[] {2, 2}, new float[4], DType.BF16);
        ShardedCheckpointWriter.write(w, dir, "model", 16);
        Result r = inspect(dir.toString(), "--json");
        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).isEqualTo("{\"tensors\":[{\"name\":\"a\",\"dtype\":\"F32\",\"shape\":[4]},"
                + "{\"name\":\"b\",\"dtype\":\"BF16\",\"shape\":[2,2]}],\"metadata\":{\"total_size\":\"24\"}}");
    }

    @Test
    void helpAndUsageFollowTheExitCodeContract() {
        assertThat(inspect("--help").code()).isZero();
        assertThat(inspect("--help").out()).contains("--json");
        assertThat(inspect().code()).isEqualTo(Cli.USAGE);
    }
}
