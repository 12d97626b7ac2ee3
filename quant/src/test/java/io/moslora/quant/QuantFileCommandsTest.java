package io.moslora.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.cli.Cli;
import io.moslora.io.DType;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SafetensorsWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantFileCommandsTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return Cli.run(new QuantCommand(), new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    /** Two weights (one with a partial last block), a bias and a 3-D tensor that must be copied as they are. */
    private Path dense() {
        SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
        w.addFloats("a.weight", new long[] {25, 40}, Linear4bitTest.gaussian(1000, 1), DType.F16);
        w.addFloats("a.bias", new long[] {25}, Linear4bitTest.gaussian(25, 2), DType.F32);
        w.addFloats("b.weight", new long[] {64, 32}, Linear4bitTest.gaussian(2048, 3), DType.F32);
        w.addFloats("conv.weight", new long[] {2, 3, 4}, Linear4bitTest.gaussian(24, 4), DType.F32);
        Path p = dir.resolve("dense.safetensors");
        w.write(p);
        return p;
    }

    @Test
    void nf4ThenDequantGivesTheDequantizedWeightsAndCopiesTheRest() throws Exception {
        Path in = dense();
        Path q = dir.resolve("q.safetensors");
        Path back = dir.resolve("back.safetensors");
        Path back16 = dir.resolve("back16.safetensors");
        assertThat(run("nf4", "--in", in.toString(), "--out", q.toString(), "--blocksize", "128", "--exclude", "^b\\."))
                .as(err.toString()).isEqualTo(Cli.OK);
        assertThat(out.toString()).contains("quantized 1 weights to nf4 (blocksize 128, double quant)");
        assertThat(run("dequant", "--in", q.toString(), "--out", back.toString())).as(err.toString()).isEqualTo(Cli.OK);
        assertThat(run("dequant", "--in", q.toString(), "--out", back16.toString(), "--dtype", "f16")).isEqualTo(Cli.OK);
        try (SafetensorsFile src = SafetensorsFile.open(in); SafetensorsFile qf = SafetensorsFile.open(q);
                SafetensorsFile f32 = SafetensorsFile.open(back); SafetensorsFile f16 = SafetensorsFile.open(back16)) {
            assertThat(qf.info("a.weight").dtype()).isEqualTo(DType.U8);
            assertThat(qf.contains("a.weight.quant_state.bitsandbytes__nf4")).isTrue();
            assertThat(qf.metadata()).containsEntry("format", "pt");
            assertThat(f32.names()).containsExactly("a.weight", "a.bias", "b.weight", "conv.weight");
            QuantState expected = QuantState.quantize(src.readFloats("a.weight"), new long[] {25, 40}, "float16",
                    FourBitType.NF4, 128, true);
            assertThat(f32.info("a.weight").dtype()).isEqualTo(DType.F32);
            assertThat(f32.readFloats("a.weight")).containsExactly(expected.dequantize());
            short[] half = expected.dequantizeHalf(FourBitKernels.JAVA);
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(half.length * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            bytes.asShortBuffer().put(half);
            assertThat(RawTensor.read(f16, "a.weight")).isEqualTo(new RawTensor("F16", new long[] {25, 40}, bytes.array()));
            for (String copied : new String[] {"a.bias", "b.weight", "conv.weight"}) {
                assertThat(RawTensor.read(f32, copied)).as(copied).isEqualTo(RawTensor.read(src, copied));
            }
        }
    }

    @Test
    void inspectReportsFormatBitsAndErrorAgainstTheOriginal() {
        Path in = dense();
        Path q = dir.resolve("q.safetensors");
        assertThat(run("nf4", "--in", in.toString(), "--out", q.toString(), "--no-double-quant", "--include", "weight$",
                "--exclude", "conv")).isEqualTo(Cli.OK);
        assertThat(run("inspect", q.toString(), "--reference", in.toString())).as(err.toString()).isEqualTo(Cli.OK);
        String text = out.toString();
        // 1000 weights: 500 bytes of codes + 16 blocks × 32 bits = 4512 bits
        assertThat(text).contains("| a.weight | [25, 40] | nf4 | 64 | no | 4.5120 |");
        assertThat(text).contains("| b.weight | [64, 32] | nf4 | 64 | no | 4.5000 |");
        assertThat(text).contains("2 4-bit weights in " + q);
        var rows = QuantInspector.inspect(q, in);
        assertThat(rows.get(0).maxAbsError()).isPositive().isLessThan(0.05);
        assertThat(rows.get(0).rmsError()).isPositive().isLessThan(rows.get(0).maxAbsError());
    }

    @Test
    void badInputsFailWithOneLineNamingTheFileAndKeepTheOutput() throws Exception {
        Path in = dense();
        Path q = dir.resolve("q.safetensors");
        Files.writeString(q, "keep me");
        assertThat(run("nf4", "--in", dir.resolve("nope.safetensors").toString(), "--out", q.toString()))
                .isEqualTo(Cli.USER_ERROR);
        assertThat(err.toString()).contains("nope.safetensors").contains("file not found");
        assertThat(run("nf4", "--in", in.toString(), "--out", q.toString(), "--blocksize", "100"))
                .isEqualTo(Cli.USER_ERROR);
        assertThat(run("nf4", "--in", in.toString(), "--out", q.toString(), "--include", "(")).isEqualTo(Cli.USER_ERROR);
        assertThat(err.toString()).contains("--include/--exclude: not a valid regex");
        assertThat(Files.readString(q)).isEqualTo("keep me");

        Path q2 = dir.resolve("q2.safetensors");
        assertThat(run("nf4", "--in", in.toString(), "--out", q2.toString())).isEqualTo(Cli.OK);
        assertThat(run("nf4", "--in", q2.toString(), "--out", q.toString())).isEqualTo(Cli.USER_ERROR);
        assertThat(err.toString().trim()).isEqualTo("error: " + q2
                + ": tensor a.weight.quant_state.bitsandbytes__nf4 shows the file is already 4-bit; dequantize it first");
        assertThat(run("dequant", "--in", q2.toString(), "--out", q.toString(), "--dtype", "bf16"))
                .isEqualTo(Cli.USER_ERROR);
        assertThat(err.toString()).contains("--dtype bf16: use f32 or f16");
        assertThat(Files.readString(q)).isEqualTo("keep me");
        assertThat(run("inspect", q2.toString(), "--reference", q2.toString())).isEqualTo(Cli.USER_ERROR);
        assertThat(err.toString()).contains(q2 + ": tensor a.weight is U8");
    }
}
