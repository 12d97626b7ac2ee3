package io.moslora.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class OwnedArraysTest {
    private static final int N = 1 << 16;

    /**
     * The case that corrupts with a plain DJL create (measured before this class existed): a view kept in the
     * parent while the sub-manager that created the original closes, then a GC with direct-buffer churn.
     */
    @Test
    void aViewOutlivingItsOriginalKeepsItsValues() {
        float[] values = new float[N];
        for (int i = 0; i < N; i++) {
            values[i] = i * 0.5f + 1;
        }
        try (NDManager root = NDManager.newBaseManager()) {
            NDArray view;
            try (NDManager sub = root.newSubManager()) {
                view = OwnedArrays.create(sub, values, new Shape(N)).reshape(256, 256);
                view.attach(root);
            }
            List<ByteBuffer> churn = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                System.gc();
                for (int i = 0; i < 64; i++) {
                    ByteBuffer b = ByteBuffer.allocateDirect(N * 4);
                    while (b.hasRemaining()) {
                        b.put((byte) 0x7f);
                    }
                    churn.add(b);
                }
                churn.clear();
            }
            assertThat(view.toFloatArray()).containsExactly(values);
        }
    }

    @Test
    void copiesAreExactForEveryKind() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(OwnedArrays.create(m, new float[] {1.5f, -2}).toFloatArray()).containsExactly(1.5f, -2);
            assertThat(OwnedArrays.create(m, new long[] {Long.MAX_VALUE, -7}).toLongArray())
                    .containsExactly(Long.MAX_VALUE, -7);
            assertThat(OwnedArrays.create(m, new int[] {3, 4}, new Shape(2, 1)).getShape()).isEqualTo(new Shape(2, 1));
            assertThat(OwnedArrays.create(m, new double[] {0.1}, new Shape(1)).toDoubleArray()).containsExactly(0.1);
            assertThat(OwnedArrays.create(m, new boolean[] {true, false}, new Shape(2)).toBooleanArray())
                    .containsExactly(true, false);
        }
    }

    /** Project code makes arrays from Java data only through {@link OwnedArrays}. */
    @Test
    void noMainSourceCallsAManagersCreateDirectly() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        Pattern direct = Pattern.compile("(?<![\\w.])([a-z]\\w*)(\\.getManager\\(\\))?\\.create\\(");
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root, 12)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java")
                    && p.toString().contains("/src/main/java/") && !p.endsWith("OwnedArrays.java"))::iterator) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).strip();
                    if (line.startsWith("*") || line.startsWith("//")) {
                        continue;
                    }
                    Matcher mt = direct.matcher(line);
                    while (mt.find()) {
                        if (!mt.group(1).equals("init")) { // Parameter's initializer interface, not a manager
                            offenders.add(root.relativize(f) + ":" + (i + 1));
                        }
                    }
                }
            }
        }
        assertThat(root.resolve("shared-adapters/src/main/java/io/moslora/engine/OwnedArrays.java")).exists();
        assertThat(offenders).isEmpty();
    }
}
