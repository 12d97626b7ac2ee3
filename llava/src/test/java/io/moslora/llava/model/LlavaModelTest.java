package io.moslora.llava.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LlavaModelTest {
    static final long IMG = LlavaModel.IMAGE_TOKEN_INDEX;
    NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    @Test
    void namesAndCountAreLlavaHfs() {
        LlavaModel model = new LlavaModel(TinyLlava.config());
        assertThat(model.namedParameters().keySet()).contains("language_model.model.embed_tokens.weight",
                "language_model.lm_head.weight", "vision_tower.vision_model.pre_layrnorm.weight",
                "multi_modal_projector.linear_1.weight", "multi_modal_projector.linear_2.bias");
        long projector = (64L * 64 + 64) + (64L * 64 + 64);
        assertThat(model.parameterCount()).isEqualTo(model.languageModel().parameterCount()
                + model.visionTower().parameterCount() + projector);
    }

    @Test
    void placeholderBecomesTheProjectedPenultimateFeaturesWithIgnoredLabels() {
        LlavaModel model = TinyLlava.random(m, 1);
        float[] img = TinyLlava.image(2);
        LlavaSample s = new LlavaSample(new long[] {1, 5, IMG, 7, 8}, new long[] {-100, -100, -100, 7, 8}, List.of(img));
        MultimodalInputs in = model.prepare(m, List.of(s), 0);
        assertThat(in.embeds().getShape()).isEqualTo(new Shape(1, 20, 64));
        assertThat(in.attentionMask()).isNull();
        NDArray pixels = m.create(img, new Shape(1, 3, 32, 32));
        NDArray tower = model.visionTower().hiddenState(pixels, -2).get(new NDIndex(":, 1:, :"));
        NDArray projected = model.projector().forward(tower);
        CausalLMTest.assertClose(in.embeds().get(new NDIndex(":, 2:18, :")), projected, 0);
        NDArray text = model.languageModel().embed(m.create(new long[] {1, 5, 7, 8}).reshape(1, 4));
        CausalLMTest.assertClose(in.embeds().get(new NDIndex(":, :2, :")), text.get(new NDIndex(":, :2, :")), 0);
        CausalLMTest.assertClose(in.embeds().get(new NDIndex(":, 18:, :")), text.get(new NDIndex(":, 2:, :")), 0);
        long[] labels = in.labels().toLongArray();
        for (int i = 0; i < 18; i++) {
            assertThat(labels[i]).isEqualTo(-100);
        }
        assertThat(labels[18]).isEqualTo(7);
        assertThat(labels[19]).isEqualTo(8);
    }

    @Test
    void projectorIsLinearGeluLinear() {
        LlavaModel model = TinyLlava.random(m, 3);
        NDArray x = m.randomNormal(new Shape(2, 5, 64));
        var p = model.projector().namedParameters();
        NDArray h = x.matMul(p.get("linear_1.weight").array().transpose()).add(p.get("linear_1.bias").array());
        h = h.mul(h.div(Math.sqrt(2)).erf().add(1)).mul(0.5); // exact (erf) GELU
        NDArray y = h.matMul(p.get("linear_2.weight").array().transpose()).add(p.get("linear_2.bias").array());
        CausalLMTest.assertClose(model.projector().forward(x), y, 1e-5);
    }

    @Test
    void textOnlySampleIsThePlainLanguageModel() {
        LlavaModel model = TinyLlava.random(m, 4);
        long[] ids = {1, 9, 44, 3, 2};
        LlavaOutput out = model.forward(m, List.of(LlavaSample.text(ids, null)));
        assertThat(out.loss()).isNull();
        CausalLM lm = model.languageModel();
        NDArray plain = lm.forward(lm.embed(m.create(ids).reshape(1, 5)), null, null);
        CausalLMTest.assertClose(out.logits(), plain, 0);
    }

    @Test
    void paddedBatchGivesEachSampleItsOwnLogits() {
        LlavaModel model = TinyLlava.random(m, 5);
        LlavaSample a = new LlavaSample(new long[] {1, IMG, 30, 31, 32}, new long[] {-100, -100, 30, 31, 32},
                List.of(TinyLlava.image(7)));
        LlavaSample b = LlavaSample.text(new long[] {1, 40, 41}, new long[] {-100, 40, 41});
        LlavaOutput both = model.forward(m, List.of(a, b));
        assertThat(both.logits().getShape()).isEqualTo(new Shape(2, 20, 320));
        assertThat(both.inputs().lengths()).containsExactly(20, 3);
        assertThat(both.inputs().attentionMask().toLongArray()[20 + 2]).isEqualTo(1);
        assertThat(both.inputs().attentionMask().toLongArray()[20 + 3]).isZero();
        LlavaOutput alone = model.forward(m, List.of(b));
        CausalLMTest.assertClose(both.logits().get(new NDIndex("1:, :3, :")), alone.logits(), 1e-5);
        LlavaOutput aAlone = model.forward(m, List.of(a));
        CausalLMTest.assertClose(both.logits().get(new NDIndex(":1, :, :")), aAlone.logits(), 1e-5);
    }

    @Test
    void lossIsTheMeanShiftedCrossEntropyOverKeptLabels() {
        LlavaModel model = TinyLlava.random(m, 6);
        LlavaSample a = new LlavaSample(new long[] {1, IMG, 30, 31, 32}, new long[] {-100, -100, -100, 31, 32},
                List.of(TinyLlava.image(8)));
        LlavaSample b = LlavaSample.text(new long[] {1, 40, 41}, new long[] {-100, 40, 41});
        LlavaOutput out = model.forward(m, List.of(a, b));
        float[] logits = out.logits().toFloatArray();
        // kept next-token targets: sample 0 positions 18→31, 19→32 (spliced: 1 + 16 image rows + 30 at 17);
        // sample 1 positions 0→40, 1→41
        int[][] picks = {{0, 17, 31}, {0, 18, 32}, {1, 0, 40}, {1, 1, 41}};
        double total = 0;
        for (int[] p : picks) {
            int base = (p[0] * 20 + p[1]) * 320;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < 320; v++) {
                max = Math.max(max, logits[base + v]);
            }
            double sum = 0;
            for (int v = 0; v < 320; v++) {
                sum += Math.exp(logits[base + v] - max);
            }
            total += -(logits[base + p[2]] - max - Math.log(sum));
        }
        assertThat((double) out.loss().getFloat()).isCloseTo(total / picks.length, within(1e-5));
        // the tensor entry point gives the same loss
        NDArray ids = m.create(new long[] {1, IMG, 30, 31, 32}).reshape(1, 5);
        NDArray labels = m.create(new long[] {-100, -100, -100, 31, 32}).reshape(1, 5);
        LlavaOutput t = model.forward(ids, labels, m.create(TinyLlava.image(8), new Shape(1, 3, 32, 32)));
        LlavaOutput s = model.forward(m, List.of(a));
        assertThat(t.loss().getFloat()).isEqualTo(s.loss().getFloat());
    }

    @Test
    void truncationCutsTheSplicedSequence() {
        LlavaModel model = TinyLlava.random(m, 7);
        LlavaSample a = new LlavaSample(new long[] {1, IMG, 30, 31, 32}, new long[] {-100, -100, 30, 31, 32},
                List.of(TinyLlava.image(8)));
        MultimodalInputs in = model.prepare(m, List.of(a), 18);
        assertThat(in.embeds().getShape()).isEqualTo(new Shape(1, 18, 64));
        assertThat(in.labels().toLongArray()[17]).isEqualTo(30);
    }

    @Test
    void imageCountMustMatchThePlaceholders() {
        LlavaModel model = TinyLlava.random(m, 8);
        LlavaSample noImage = LlavaSample.text(new long[] {1, IMG, 3}, null);
        assertThatThrownBy(() -> model.forward(m, List.of(noImage)))
                .hasMessageContaining("sample 0 has 1 <image> placeholders (id -200) but 0 images");
        assertThatThrownBy(() -> new LlavaSample(new long[] {1, 2}, new long[] {1}, null))
                .hasMessageContaining("labels have 1 entries but ids have 2");
        LlavaSample bad = new LlavaSample(new long[] {IMG}, null, List.of(new float[10]));
        assertThatThrownBy(() -> model.forward(m, List.of(bad))).hasMessageContaining("3×32×32 = 3072");
    }
}
