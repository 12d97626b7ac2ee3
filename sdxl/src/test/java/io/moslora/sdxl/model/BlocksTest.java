package io.moslora.sdxl.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.moslora.engine.Ops;
import io.moslora.engine.Seeds;
import io.moslora.nn.Module;
import org.junit.jupiter.api.Test;

/** Each block on tiny widths: shapes, key names, and identities that hold exactly whatever the random weights. */
class BlocksTest {
    private static void zero(Module m, String key, NDManager manager) {
        var p = m.namedParameters().get(key);
        p.set(manager.zeros(p.shape()));
    }

    private static void set(Module m, String key, NDArray values) {
        m.namedParameters().get(key).set(values);
    }

    @Test
    void nearestUpsampleCopiesEachPixelIntoATwoByTwoSquare() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            assertThat(Upsample2D.nearest2x(x).toFloatArray()).containsExactly(
                    1, 1, 2, 2,
                    1, 1, 2, 2,
                    3, 3, 4, 4,
                    3, 3, 4, 4);
            Upsample2D up = new Upsample2D(3);
            up.materialize(m, DataType.FLOAT32);
            assertThat(up.forward(m.ones(new Shape(2, 3, 5, 7))).getShape()).isEqualTo(new Shape(2, 3, 10, 14));
        }
    }

    @Test
    void downsampleHalvesWithBottomRightPaddingInTheVae() {
        try (NDManager m = NDManager.newBaseManager()) {
            Downsample2D vae = new Downsample2D(1, 0);
            vae.materialize(m, DataType.FLOAT32);
            // a kernel that reads only the bottom-right tap: output (i, j) = x(2i + 2, 2j + 2), zero past the edge
            NDArray k = m.zeros(new Shape(1, 1, 3, 3));
            k.set(new ai.djl.ndarray.index.NDIndex("0, 0, 2, 2"), 1f);
            set(vae, "conv.weight", k);
            zero(vae, "conv.bias", m);
            NDArray x = m.arange(1f, 17f).reshape(1, 1, 4, 4);
            assertThat(vae.forward(x).toFloatArray()).containsExactly(11, 0, 0, 0);
            Downsample2D unet = new Downsample2D(1, 1);
            unet.materialize(m, DataType.FLOAT32);
            assertThat(unet.forward(m.ones(new Shape(1, 1, 5, 5))).getShape()).isEqualTo(new Shape(1, 1, 3, 3));
            // padded to 6×6, the stride-2 3×3 conv gives 2×2 where the symmetric padding gives 3×3
            assertThat(vae.forward(m.ones(new Shape(1, 1, 5, 5))).getShape()).isEqualTo(new Shape(1, 1, 2, 2));
        }
    }

    @Test
    void resnetWithZeroSecondConvIsItsShortcut() {
        Seeds.seed(1);
        try (NDManager m = NDManager.newBaseManager()) {
            ResnetBlock2D block = new ResnetBlock2D(8, 16, 32, 4, 1e-5, 1.0);
            block.materialize(m, DataType.FLOAT32);
            assertThat(block.namedParameters()).containsKeys("norm1.weight", "conv1.weight", "time_emb_proj.weight",
                    "norm2.bias", "conv2.weight", "conv_shortcut.weight");
            NDArray x = m.randomNormal(new Shape(2, 8, 6, 6));
            NDArray temb = m.randomNormal(new Shape(2, 32));
            assertThat(block.forward(x, temb).getShape()).isEqualTo(new Shape(2, 16, 6, 6));
            zero(block, "conv2.weight", m);
            zero(block, "conv2.bias", m);
            NDArray shortcut = ((io.moslora.nn.Layer) block.child("conv_shortcut")).forward(x);
            assertThat(block.forward(x, temb).toFloatArray()).containsExactly(shortcut.toFloatArray());
            ResnetBlock2D same = new ResnetBlock2D(8, 8, 0, 4, 1e-6, 1.0);
            assertThat(same.namedParameters()).doesNotContainKeys("conv_shortcut.weight", "time_emb_proj.weight");
        }
    }

    @Test
    void attentionWithOneContextTokenReturnsItsProjectedValue() {
        Seeds.seed(2);
        try (NDManager m = NDManager.newBaseManager()) {
            Attention attn = new Attention(8, 12, 2, 4, false);
            attn.materialize(m, DataType.FLOAT32);
            assertThat(attn.namedParameters().keySet()).containsExactly("to_q.weight", "to_k.weight", "to_v.weight",
                    "to_out.0.weight", "to_out.0.bias");
            NDArray x = m.randomNormal(new Shape(1, 5, 8));
            NDArray context = m.randomNormal(new Shape(1, 1, 12));
            // softmax over a single key is 1: every query gets to_out(to_v(context))
            NDArray v = ((io.moslora.nn.Layer) attn.child("to_v")).forward(context);
            NDArray expected = ((io.moslora.nn.Layer) attn.get("to_out.0")).forward(v);
            NDArray out = attn.forward(x, context);
            assertThat(out.getShape()).isEqualTo(new Shape(1, 5, 8));
            float[] e = expected.toFloatArray();
            float[] o = out.toFloatArray();
            for (int i = 0; i < o.length; i++) {
                assertThat(o[i]).isCloseTo(e[i % 8], within(1e-5f));
            }
        }
    }

    @Test
    void gegluFeedForwardByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            GegluFeedForward ff = new GegluFeedForward(1); // inner 4, proj 1 → 8
            ff.materialize(m, DataType.FLOAT32);
            set(ff, "net.0.proj.weight", m.create(new float[] {1, 2, 3, 4, 1, 1, -1, 0}, new Shape(8, 1)));
            zero(ff, "net.0.proj.bias", m);
            set(ff, "net.2.weight", m.ones(new Shape(1, 4)));
            zero(ff, "net.2.bias", m);
            // x = 2: values 2, 4, 6, 8; gates 2, 2, −2, 0 → 2·g(2) + 4·g(2) + 6·g(−2) + 8·g(0), g = exact gelu
            double g2 = gelu(2), gm2 = gelu(-2);
            double expected = 2 * g2 + 4 * g2 + 6 * gm2;
            assertThat(ff.forward(m.create(new float[] {2}, new Shape(1, 1, 1))).toFloatArray()[0])
                    .isCloseTo((float) expected, within(1e-5f));
        }
    }

    private static double gelu(double x) {
        // Φ(x) from erf, via the engine's erf to avoid a second approximation
        try (NDManager m = NDManager.newBaseManager()) {
            double erf = Ops.erf(m.create(new double[] {x / Math.sqrt(2)})).toDoubleArray()[0];
            return 0.5 * x * (1 + erf);
        }
    }

    @Test
    void transformerWithZeroOutputProjectionIsTheIdentity() {
        Seeds.seed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            for (boolean linear : new boolean[] {true, false}) {
                Transformer2DModel t = new Transformer2DModel(16, 2, 2, 24, 4, linear);
                t.materialize(m, DataType.FLOAT32);
                assertThat(t.namedParameters()).containsKeys("norm.weight", "proj_in.weight",
                        "transformer_blocks.1.attn2.to_k.weight", "transformer_blocks.0.ff.net.0.proj.weight", "proj_out.bias");
                assertThat(t.namedParameters().get("transformer_blocks.0.attn2.to_k.weight").shape()).isEqualTo(new Shape(16, 24));
                NDArray x = m.randomNormal(new Shape(2, 16, 3, 5));
                NDArray context = m.randomNormal(new Shape(2, 7, 24));
                NDArray out = t.forward(x, context);
                assertThat(out.getShape()).isEqualTo(x.getShape());
                assertThat(out.sub(x).abs().max().getFloat()).isGreaterThan(1e-3f);
                zero(t, "proj_out.weight", m);
                zero(t, "proj_out.bias", m);
                assertThat(t.forward(x, context).toFloatArray()).containsExactly(x.toFloatArray());
            }
        }
    }

    @Test
    void vaeAttentionIsResidualAndSpansAllPositions() {
        Seeds.seed(4);
        try (NDManager m = NDManager.newBaseManager()) {
            SpatialSelfAttention attn = new SpatialSelfAttention(8, 4, 1e-6);
            attn.materialize(m, DataType.FLOAT32);
            assertThat(attn.namedParameters()).containsKeys("group_norm.weight", "to_q.bias", "to_k.bias", "to_v.bias",
                    "to_out.0.weight");
            NDArray x = m.randomNormal(new Shape(1, 8, 3, 3));
            NDArray out = attn.forward(x);
            // with q = k = 0 attention is uniform: every position gets the mean of to_out(to_v(norm x)), plus x
            zero(attn, "to_q.weight", m);
            zero(attn, "to_q.bias", m);
            NDArray uniform = attn.forward(x).sub(x);
            float[] u = uniform.toFloatArray();
            for (int c = 0; c < 8; c++) {
                for (int p = 1; p < 9; p++) {
                    assertThat(u[c * 9 + p]).isCloseTo(u[c * 9], within(1e-5f));
                }
            }
            assertThat(out.getShape()).isEqualTo(x.getShape());
        }
    }
}
