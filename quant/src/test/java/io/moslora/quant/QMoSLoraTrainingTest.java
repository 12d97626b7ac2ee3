package io.moslora.quant;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.AdapterKind;
import io.moslora.engine.Ops;
import io.moslora.engine.Seeds;
import io.moslora.engine.StepScope;
import io.moslora.train.AdamW;
import java.util.List;
import org.junit.jupiter.api.Test;

class QMoSLoraTrainingTest {

    @Test
    void moSLoraOverAFrozenNf4BaseTrainsOnlyTheAdaptersAndTheLossFalls() {
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds.seed(5);
            TinyLm lm = new TinyLm();
            lm.materialize(m, DataType.FLOAT32);
            assertThat(Quantizer.quantizeModel(lm, QuantOptions.qlora(), m))
                    .containsExactly("up_proj", "down_proj", "lm_head");
            List<String> wrapped = AdapterInjector.inject(lm,
                    AdapterConfig.of(AdapterKind.MOSLORA, 8, 16, List.of("up_proj", "down_proj", "lm_head")), m);
            assertThat(wrapped).containsExactly("up_proj", "down_proj", "lm_head");
            var trainable = lm.trainableParameters();
            assertThat(trainable.keySet()).allMatch(k -> k.contains(".lora_")).hasSize(9);
            byte[] codesBefore = ((Linear4bit) lm.get("up_proj.base_layer")).state().packed().clone();

            // a fixed next-token task: token t is followed by (3t + 1) mod 16
            long[] ids = new long[32];
            long[] next = new long[32];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = i % TinyLm.VOCAB;
                next[i] = (3 * ids[i] + 1) % TinyLm.VOCAB;
            }
            NDArray x = m.create(ids, new Shape(2, 16));
            NDArray y = m.create(next, new Shape(2, 16));
            AdamW opt = new AdamW(trainable, m, 0.9, 0.999, 1e-8, 0.0);
            float first = 0;
            float last = 0;
            for (int step = 0; step < 40; step++) {
                try (StepScope scope = new StepScope(m)) {
                    opt.zeroGradients();
                    float loss;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray l = Ops.crossEntropy(lm.logits(x).reshape(-1, TinyLm.VOCAB), y.reshape(-1), -100);
                        loss = l.getFloat();
                        gc.backward(l);
                    }
                    opt.step(1e-2, scope.manager());
                    if (step == 0) {
                        first = loss;
                    }
                    last = loss;
                }
            }
            assertThat(first).isGreaterThan(2.0f); // about ln 16 = 2.77 at the start
            assertThat(last).isLessThan(first * 0.5f);
            assertThat(((Linear4bit) lm.get("up_proj.base_layer")).state().packed()).containsExactly(codesBefore);
        }
    }
}
