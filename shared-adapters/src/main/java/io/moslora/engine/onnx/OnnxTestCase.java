package io.moslora.engine.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One data set of an ONNX backend node test from Debian's {@code libonnx-testdata} (e.g.
 * {@code node/test_erf/test_data_set_0/input_0.pb}): the reference inputs and outputs, made by ONNX's
 * own generator. The folder is {@code ONNX_TESTDATA} or {@code /usr/share/libonnx-testdata/data}.
 */
public record OnnxTestCase(String name, List<OnnxTensor> inputs, List<OnnxTensor> outputs) {
    public static final String DEFAULT_ROOT = "/usr/share/libonnx-testdata/data";

    public static Path root() {
        String env = System.getenv("ONNX_TESTDATA");
        return Path.of(env != null && !env.isBlank() ? env : DEFAULT_ROOT);
    }

    /** Loads {@code node/<name>/test_data_set_0}; a clear error when the package is not installed. */
    public static OnnxTestCase node(String name) {
        Path dir = root().resolve("node").resolve(name).resolve("test_data_set_0");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(dir + " not found: install the Debian package libonnx-testdata "
                    + "or set ONNX_TESTDATA");
        }
        return new OnnxTestCase(name, readAll(dir, "input_"), readAll(dir, "output_"));
    }

    /** Names of the node tests starting with {@code prefix}, sorted, without the "_expanded" variants. */
    public static List<String> nodeTests(String prefix) {
        try (Stream<Path> s = Files.list(root().resolve("node"))) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(prefix) && !n.endsWith("_expanded"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root().resolve("node"), e);
        }
    }

    public OnnxTensor input(int i) {
        return inputs.get(i);
    }

    public OnnxTensor output(int i) {
        return outputs.get(i);
    }

    private static List<OnnxTensor> readAll(Path dir, String prefix) {
        List<OnnxTensor> out = new ArrayList<>();
        for (int i = 0; Files.exists(dir.resolve(prefix + i + ".pb")); i++) {
            out.add(OnnxTensor.read(dir.resolve(prefix + i + ".pb")));
        }
        return out;
    }
}
