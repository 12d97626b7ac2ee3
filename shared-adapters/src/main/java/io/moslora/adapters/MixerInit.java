package io.moslora.adapters;

import io.moslora.engine.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Initial value of the r×r mixer. Kaiming (the paper's default) is kaiming_uniform with a=√5, i.e. U(±1/√r);
 * identity reproduces LoRA at step 0; zero never trains when B starts at zero (every gradient is 0).
 */
public enum MixerInit {
    KAIMING,
    ORTHOGONAL,
    IDENTITY,
    /** N(0, σ²) with σ = 1/√r, the same scale as the kaiming bound. */
    NORMAL,
    ZERO,
    /** Fixed {@code [[I,I],[I,I]]} (TS-Mixing). */
    BUTTERFLY;

    public static MixerInit parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown mixer init '" + s
                    + "' (expected kaiming, orthogonal, identity, normal, zero or butterfly)");
        }
    }

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public NDArray create(NDManager m, int r, DataType dtype) {
        Shape shape = new Shape(r, r);
        NDArray out = switch (this) {
            case KAIMING -> m.randomUniform((float) -(1 / Math.sqrt(r)), (float) (1 / Math.sqrt(r)), shape);
            case NORMAL -> m.randomNormal(0f, (float) (1 / Math.sqrt(r)), shape, DataType.FLOAT32);
            case IDENTITY -> m.eye(r);
            case ZERO -> m.zeros(shape);
            case ORTHOGONAL -> orthogonal(m, r);
            case BUTTERFLY -> butterfly(m, r);
        };
        return out.toType(dtype, false);
    }

    /** {@code torch.nn.init.orthogonal_}: Q of the QR of a normal matrix, signs fixed by diag(R). */
    private static NDArray orthogonal(NDManager m, int r) {
        float[] g = m.randomNormal(0f, 1f, new Shape(r, r), DataType.FLOAT32).toFloatArray();
        double[][] q = new double[r][r];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < r; j++) {
                q[j][i] = g[i * r + j]; // columns of q start as columns of g
            }
        }
        // Modified Gram-Schmidt on columns; the norm taken is R's diagonal, which is positive, so the sign fix
        // of torch (Q·sign(diag R)) is already applied.
        for (int c = 0; c < r; c++) {
            for (int p = 0; p < c; p++) {
                double dot = 0;
                for (int i = 0; i < r; i++) {
                    dot += q[i][p] * q[i][c];
                }
                for (int i = 0; i < r; i++) {
                    q[i][c] -= dot * q[i][p];
                }
            }
            double norm = 0;
            for (int i = 0; i < r; i++) {
                norm += q[i][c] * q[i][c];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < r; i++) {
                q[i][c] /= norm;
            }
        }
        float[] flat = new float[r * r];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < r; j++) {
                flat[i * r + j] = (float) q[i][j];
            }
        }
        return OwnedArrays.create(m, flat, new Shape(r, r));
    }

    private static NDArray butterfly(NDManager m, int r) {
        if (r % 2 != 0) {
            throw new IllegalArgumentException("ts-mixing needs an even rank, got r=" + r);
        }
        int h = r / 2;
        float[] flat = new float[r * r];
        for (int i = 0; i < r; i++) {
            flat[i * r + (i % h)] = 1f;
            flat[i * r + (i % h) + h] = 1f;
        }
        return OwnedArrays.create(m, flat, new Shape(r, r));
    }
}
