package io.moslora.sdxl.single;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.moslora.cli.UserError;
import io.moslora.engine.OwnedArrays;
import io.moslora.io.SafetensorsFile;
import io.moslora.nn.TensorSource;
import java.util.List;
import java.util.Map;

/**
 * One network's tensors of a single-file checkpoint, seen under our parameter names: a renaming view that reads
 * one tensor at a time from the memory-mapped file (so loading never holds more than a tensor beyond the model)
 * and undoes the layout differences of {@link StoredAs} on the way.
 */
final class SingleFileTensors implements TensorSource {
    private final SafetensorsFile file;
    private final Map<String, SingleFileKey> keys;

    SingleFileTensors(SafetensorsFile file, Map<String, SingleFileKey> keys) {
        this.file = file;
        this.keys = keys;
    }

    @Override
    public List<String> names() {
        return List.copyOf(keys.keySet());
    }

    @Override
    public Shape shape(String name) {
        SingleFileKey k = keys.get(name);
        long[] s = file.info(k.key()).shape();
        return switch (k.storedAs()) {
            case SAME -> new Shape(s);
            case CONV_1X1 -> {
                if (s.length != 4 || s[2] != 1 || s[3] != 1) throw badShape(k, s, "[C, C, 1, 1]");
                yield new Shape(s[0], s[1]);
            }
            case TRANSPOSED -> {
                if (s.length != 2) throw badShape(k, s, "a matrix");
                yield new Shape(s[1], s[0]);
            }
            case IN_PROJ_Q, IN_PROJ_K, IN_PROJ_V -> {
                if (s.length < 1 || s[0] % 3 != 0) throw badShape(k, s, "q, k and v stacked (first dimension a multiple of 3)");
                long[] part = s.clone();
                part[0] = s[0] / 3;
                yield new Shape(part);
            }
        };
    }

    @Override
    public NDArray read(String name, NDManager manager, DataType dtype) {
        SingleFileKey k = keys.get(name);
        if (k.storedAs() == StoredAs.SAME) return file.toNDArray(manager, k.key(), dtype);
        Shape shape = shape(name);
        float[] stored = file.readFloats(k.key());
        float[] values = switch (k.storedAs()) {
            case TRANSPOSED -> transpose(stored, (int) shape.get(1), (int) shape.get(0));
            case IN_PROJ_Q, IN_PROJ_K, IN_PROJ_V -> {
                int size = Math.toIntExact(shape.size());
                float[] part = new float[size];
                System.arraycopy(stored, k.storedAs().inProjPart() * size, part, 0, size);
                yield part;
            }
            default -> stored; // CONV_1X1: the same values, two trailing unit dimensions fewer
        };
        NDArray f32 = OwnedArrays.create(manager, values, shape);
        if (dtype == DataType.FLOAT32) return f32;
        NDArray converted = f32.toType(dtype, false);
        f32.close();
        return converted;
    }

    @Override
    public String describe() {
        return file.path().toString();
    }

    /** {@code [rows, cols]} row-major → {@code [cols, rows]} row-major. */
    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[r * cols + c];
            }
        }
        return t;
    }

    private UserError badShape(SingleFileKey k, long[] s, String expected) {
        return new UserError(file.path() + ": tensor " + k.key() + " has shape " + java.util.Arrays.toString(s)
                + "; a single-file SDXL checkpoint stores it as " + expected);
    }
}
