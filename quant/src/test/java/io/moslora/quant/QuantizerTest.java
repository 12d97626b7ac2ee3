package io.moslora.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.cli.UserError;
import io.moslora.engine.Seeds;
import io.moslora.io.DType;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SafetensorsWriter;
import io.moslora.nn.Linear;
import io.moslora.nn.Parameter;
import io.moslora.nn.StateDictLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizerTest {
    @TempDir
    Path dir;

    /** A dense checkpoint of TinyLm with f16 weights, written from a seeded model. */
    private Path denseCheckpoint(NDManager m) {
        Seeds.seed(3);
        TinyLm lm = new TinyLm();
        lm.materialize(m, DataType.FLOAT32);
        SafetensorsWriter w = new SafetensorsWriter();
        lm.namedParameters().forEach((k, p) -> w.addFloats(k, p.shape().getShape(), p.array().toFloatArray(), DType.F16));
        Path file = dir.resolve("dense.safetensors");
        w.write(file);
        return file;
    }

    @Test
    void streamingLoadQuantizesTargetsAsTheyAreReadAndNeverMakesThemDjlArrays() {
        try (NDManager m = NDManager.newBaseManager(); NDManager model = NDManager.newBaseManager()) {
            Path file = denseCheckpoint(m);
            TinyLm lm = new TinyLm(); // shape-only
            QuantOptions opts = QuantOptions.qlora().withPatterns(null, "lm_head");
            try (SafetensorsFile reader = SafetensorsFile.open(file)) {
                StateDictLoader.Report r = Quantizer.load(lm, reader, model, DataType.FLOAT32, opts, true);
                assertThat(r.complete()).isTrue();
                for (String path : List.of("up_proj", "down_proj")) {
                    Linear4bit q = (Linear4bit) lm.get(path);
                    QuantState expected = QuantState.quantize(reader.readFloats(path + ".weight"),
                            reader.info(path + ".weight").shape(), "float16", FourBitType.NF4, 64, true);
                    assertThat(q.state().packed()).containsExactly(expected.packed());
                    assertThat(q.state().nested().codes()).containsExactly(expected.nested().codes());
                    assertThat(q.state().dtype()).isEqualTo("float16");
                }
                assertThat(lm.get("lm_head")).isInstanceOf(Linear.class); // excluded
                assertThat(((Linear4bit) lm.get("up_proj")).bias().array().toFloatArray())
                        .containsExactly(reader.readFloats("up_proj.bias"));
            }
            // What the model's manager holds: the dense parameters that were not quantized, nothing else.
            long expectedBytes = 0;
            for (Parameter p : lm.distinctParameters()) {
                expectedBytes += p.numel() * 4;
            }
            long held = 0;
            for (NDArray a : model.getManagedArrays()) {
                held += a.size() * a.getDataType().getNumOfBytes();
                assertThat(a.getShape().getShape()).isNotEqualTo(new long[] {2 * TinyLm.DIM, TinyLm.DIM})
                        .isNotEqualTo(new long[] {TinyLm.DIM, 2 * TinyLm.DIM});
            }
            assertThat(held).isEqualTo(expectedBytes);
            assertThat(expectedBytes).isEqualTo(4L * (16 * 64 + 64 + 128 + 16 * 64));
        }
    }

    @Test
    void bnbFileLoadsIntoLinear4bitWithTheSourceStateAndSavesBackIdentically() {
        try (NDManager m = NDManager.newBaseManager()) {
            Path dense = denseCheckpoint(m);
            Path q4 = dir.resolve("q4.safetensors");
            List<String> done = Nf4Files.quantize(dense, q4, QuantOptions.qlora().withPatterns(null, "^embed"), n -> {});
            assertThat(done).containsExactly("up_proj.weight", "down_proj.weight", "lm_head.weight");
            TinyLm lm = new TinyLm();
            try (SafetensorsFile reader = SafetensorsFile.open(q4); SafetensorsFile src = SafetensorsFile.open(dense)) {
                assertThat(Quantizer.load(lm, reader, m, DataType.FLOAT32, null, true).complete()).isTrue();
                for (String path : List.of("up_proj", "down_proj", "lm_head")) {
                    float[] fromSource = QuantState.quantize(src.readFloats(path + ".weight"),
                            src.info(path + ".weight").shape(), "float16", FourBitType.NF4, 64, true).dequantize();
                    assertThat(((Linear4bit) lm.get(path)).denseWeight().toFloatArray()).containsExactly(fromSource);
                }
            }
            Path saved = dir.resolve("saved.safetensors");
            Quantizer.save(lm, saved);
            try (SafetensorsFile a = SafetensorsFile.open(q4); SafetensorsFile b = SafetensorsFile.open(saved)) {
                assertThat(b.names()).containsExactlyInAnyOrderElementsOf(a.names());
                for (String n : a.names()) {
                    RawTensor ra = RawTensor.read(a, n);
                    RawTensor rb = RawTensor.read(b, n);
                    if (ra.dtype().equals("F16")) { // dense tensors were loaded as f32
                        assertThat(b.readFloats(n)).as(n).containsExactly(a.readFloats(n));
                    } else {
                        assertThat(rb).as(n).isEqualTo(ra);
                    }
                }
            }
        }
    }

    @Test
    void inMemoryQuantizationMatchesTheStreamingOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.seed(3);
            TinyLm lm = new TinyLm();
            lm.materialize(m, DataType.FLOAT32);
            float[] w = ((Linear) lm.get("down_proj")).weight().array().toFloatArray();
            List<String> done = Quantizer.quantizeModel(lm, QuantOptions.qlora().withPatterns("proj", null), m);
            assertThat(done).containsExactly("up_proj", "down_proj");
            QuantState s = ((Linear4bit) lm.get("down_proj")).state();
            assertThat(s.packed()).containsExactly(
                    QuantState.quantize(w, new long[] {64, 128}, "float32", FourBitType.NF4, 64, true).packed());
        }
    }

    @Test
    void aShapeMismatchNamesTheFileAndTensor() {
        try (NDManager m = NDManager.newBaseManager()) {
            Path dense = denseCheckpoint(m);
            Path q4 = dir.resolve("q4.safetensors");
            Nf4Files.quantize(dense, q4, QuantOptions.qlora().withPatterns("up_proj", null), n -> {});
            io.moslora.nn.Module wrong = new io.moslora.nn.Module() {};
            wrong.addChild("up_proj", new Linear(64, 64, true));
            try (SafetensorsFile reader = SafetensorsFile.open(q4)) {
                assertThatThrownBy(() -> Quantizer.load(wrong, reader, m, DataType.FLOAT32, null, false))
                        .isInstanceOf(UserError.class)
                        .hasMessage(q4 + ": tensor up_proj.weight has shape [128, 64] but the model expects [64, 64]");
            }
            Path all = dir.resolve("all.safetensors");
            Nf4Files.quantize(dense, all, QuantOptions.qlora(), n -> {}); // the embedding too
            try (SafetensorsFile reader = SafetensorsFile.open(all)) {
                assertThatThrownBy(() -> Quantizer.load(new TinyLm(), reader, m, DataType.FLOAT32, null, false))
                        .isInstanceOf(UserError.class).hasMessage(all + ": tensor embed_tokens.weight is a 4-bit"
                                + " weight but the model has no dense Linear at embed_tokens");
            }
        }
    }
}
