package io.moslora.llava.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.moslora.config.ClipConfig;
import io.moslora.config.ClipVisionConfig;
import io.moslora.config.HfConfigs;
import io.moslora.config.TinyConfigs;
import io.moslora.engine.Seeds;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClipVisionTowerTest {
    static final Path CONFIGS = Path.of("../shared-adapters/src/test/resources/configs");
    NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    ClipVisionTower tiny() {
        Seeds.seed(11);
        return TinyLlava.randomize(new ClipVisionTower(TinyConfigs.load("tiny-clip-vision", ClipVisionConfig.class)), m);
    }

    @Test
    void namesAreTransformersClipVisionModelKeys() {
        ClipVisionTower t = new ClipVisionTower(TinyConfigs.load("tiny-clip-vision", ClipVisionConfig.class));
        assertThat(t.namedParameters().keySet()).contains("vision_model.embeddings.class_embedding",
                "vision_model.embeddings.patch_embedding.weight", "vision_model.embeddings.position_embedding.weight",
                "vision_model.pre_layrnorm.weight", "vision_model.pre_layrnorm.bias",
                "vision_model.encoder.layers.1.self_attn.out_proj.bias", "vision_model.encoder.layers.0.layer_norm2.weight",
                "vision_model.encoder.layers.0.mlp.fc1.weight", "vision_model.post_layernorm.bias");
        assertThat(t.namedParameters()).doesNotContainKey("vision_model.embeddings.patch_embedding.bias");
    }

    @Test
    void clipVitLarge336TowerHasTheParameterCountOfPyTorch() {
        ClipVisionConfig v = HfConfigs.load(CONFIGS.resolve("clip-vit-large-patch14-336/config.json"), ClipConfig.class)
                .visionConfig();
        // embeddings: class 1024 + conv 1024·3·14·14 + positions 577·1024; pre/post norms 2·2048;
        // per layer: 4·(1024² + 1024) attention + 2·2048 norms + (1024·4096 + 4096) + (4096·1024 + 1024) MLP
        long layer = 4L * (1024 * 1024 + 1024) + 2 * 2048 + (1024L * 4096 + 4096) + (4096L * 1024 + 1024);
        long expected = 1024 + 1024L * 3 * 14 * 14 + 577L * 1024 + 2 * 2048 + 24 * layer;
        assertThat(expected).isEqualTo(303_507_456L);
        assertThat(new ClipVisionTower(v).parameterCount()).isEqualTo(expected);
        assertThat(v.numPatches()).isEqualTo(576);
    }

    @Test
    void embeddingsAreClassTokenThenRowMajorPatchesPlusPositionsThenPreLayerNorm() {
        ClipVisionTower t = tiny();
        float[] img = TinyLlava.image(5);
        NDArray h0 = t.hiddenState(m.create(img, new Shape(1, 3, 32, 32)), 0);
        assertThat(h0.getShape()).isEqualTo(new Shape(1, 17, 64));
        // plain-Java reference: patch p = (row, col) of the 4×4 grid, dot product with the conv kernel
        float[] w = param(t, "vision_model.embeddings.patch_embedding.weight"); // [64, 3, 8, 8]
        float[] cls = param(t, "vision_model.embeddings.class_embedding");
        float[] pos = param(t, "vision_model.embeddings.position_embedding.weight"); // [17, 64]
        float[] g = param(t, "vision_model.pre_layrnorm.weight");
        float[] b = param(t, "vision_model.pre_layrnorm.bias");
        float[] actual = h0.toFloatArray();
        for (int token = 0; token < 17; token++) {
            double[] e = new double[64];
            for (int d = 0; d < 64; d++) {
                if (token == 0) {
                    e[d] = cls[d];
                } else {
                    int row = (token - 1) / 4;
                    int col = (token - 1) % 4;
                    double s = 0;
                    for (int c = 0; c < 3; c++) {
                        for (int y = 0; y < 8; y++) {
                            for (int x = 0; x < 8; x++) {
                                s += w[((d * 3 + c) * 8 + y) * 8 + x] * img[(c * 32 + row * 8 + y) * 32 + col * 8 + x];
                            }
                        }
                    }
                    e[d] = s;
                }
                e[d] += pos[token * 64 + d];
            }
            double mean = 0;
            for (double v : e) {
                mean += v / 64;
            }
            double var = 0;
            for (double v : e) {
                var += (v - mean) * (v - mean) / 64;
            }
            for (int d = 0; d < 64; d++) {
                double ref = (e[d] - mean) / Math.sqrt(var + 1e-5) * g[d] + b[d];
                assertThat((double) actual[token * 64 + d]).isCloseTo(ref, within(1e-4));
            }
        }
    }

    @Test
    void penultimateHiddenStateIsTheFirstLayerWrittenOutWithExplicitSoftmaxAttention() {
        ClipVisionTower t = tiny();
        NDArray px = m.create(TinyLlava.image(6), new Shape(1, 3, 32, 32));
        NDArray x = t.hiddenState(px, 0);
        String l = "vision_model.encoder.layers.0.";
        NDArray h = ln(t, l + "layer_norm1", x);
        NDArray q = lin(t, l + "self_attn.q_proj", h).reshape(17, 4, 16).transpose(1, 0, 2);
        NDArray k = lin(t, l + "self_attn.k_proj", h).reshape(17, 4, 16).transpose(1, 0, 2);
        NDArray v = lin(t, l + "self_attn.v_proj", h).reshape(17, 4, 16).transpose(1, 0, 2);
        NDArray attn = q.matMul(k.transpose(0, 2, 1)).div(4.0).softmax(-1).matMul(v).transpose(1, 0, 2).reshape(1, 17, 64);
        NDArray r = x.add(lin(t, l + "self_attn.out_proj", attn));
        NDArray f = lin(t, l + "mlp.fc1", ln(t, l + "layer_norm2", r));
        f = f.mul(f.mul(1.702).getNDArrayInternal().sigmoid()); // quick_gelu
        NDArray expected = r.add(lin(t, l + "mlp.fc2", f));
        CausalLMTest.assertClose(t.hiddenState(px, -2), expected, 1e-5);
        CausalLMTest.assertClose(t.hiddenState(px, 1), t.hiddenState(px, -2), 0);
    }

    @Test
    void pooledOutputIsThePostNormedClassTokenOfTheLastLayer() {
        ClipVisionTower t = tiny();
        NDArray px = m.create(TinyLlava.image(8), new Shape(1, 3, 32, 32));
        NDArray last = t.lastHiddenState(px);
        NDArray expected = ln(t, "vision_model.post_layernorm", last.get(new NDIndex(":, 0, :")));
        CausalLMTest.assertClose(t.pooledOutput(px), expected, 1e-5);
    }

    @Test
    void defaultStrategyDropsTheClassTokenAndFullKeepsIt() {
        ClipVisionTower t = tiny();
        NDArray px = m.create(TinyLlava.image(9), new Shape(1, 3, 32, 32));
        NDArray full = t.imageFeatures(px, List.of(-2), "full");
        NDArray dropped = t.imageFeatures(px, List.of(-2), "default");
        assertThat(dropped.getShape()).isEqualTo(new Shape(1, 16, 64));
        CausalLMTest.assertClose(dropped, full.get(new NDIndex(":, 1:, :")), 0);
        NDArray two = t.imageFeatures(px, List.of(-2, -1), "default");
        assertThat(two.getShape()).isEqualTo(new Shape(1, 16, 128));
        assertThatThrownBy(() -> t.hiddenState(px, 3)).hasMessageContaining("vision_feature_layer 3");
    }

    @Test
    void wrongImageSizeIsRefusedWithTheExpectedSize() {
        ClipVisionTower t = tiny();
        assertThatThrownBy(() -> t.hiddenState(m.zeros(new Shape(1, 3, 40, 40)), 0))
                .hasMessageContaining("image_size");
    }

    private static float[] param(ClipVisionTower t, String key) {
        return t.namedParameters().get(key).array().toFloatArray();
    }

    private static NDArray lin(ClipVisionTower t, String path, NDArray x) {
        NDArray w = t.namedParameters().get(path + ".weight").array();
        NDArray b = t.namedParameters().get(path + ".bias").array();
        return x.matMul(w.transpose()).add(b);
    }

    private static NDArray ln(ClipVisionTower t, String path, NDArray x) {
        NDArray mean = x.mean(new int[] {-1}, true);
        NDArray var = x.sub(mean).square().mean(new int[] {-1}, true);
        NDArray n = x.sub(mean).div(var.add(1e-5).sqrt());
        return n.mul(t.namedParameters().get(path + ".weight").array()).add(t.namedParameters().get(path + ".bias").array());
    }
}
