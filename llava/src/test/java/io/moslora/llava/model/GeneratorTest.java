package io.moslora.llava.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.moslora.nn.Linear;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GeneratorTest {
    NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    static LlavaSample prompt() {
        return new LlavaSample(new long[] {1, LlavaModel.IMAGE_TOKEN_INDEX, 20, 21, 22}, null, List.of(TinyLlava.image(4)));
    }

    @Test
    void cachedGreedyGenerationEqualsFullRecomputation() {
        LlavaModel model = TinyLlava.random(m, 31);
        GenerationConfig cfg = GenerationConfig.greedy(8, Set.of());
        Generator.Result cached = Generator.generate(model, m, prompt(), cfg);
        Generator.Result full = Generator.generate(model, m, prompt(), cfg.withCache(false));
        assertThat(cached.tokens()).hasSize(8).containsExactly(full.tokens());
        assertThat(cached.reason()).isEqualTo(Generator.StopReason.LENGTH);
        // and the first token is the arg-max of the forward pass's last row
        NDArray logits = model.forward(m, List.of(prompt())).logits();
        float[] last = logits.get("0, -1, :").toFloatArray();
        assertThat(cached.tokens()[0]).isEqualTo(TokenSampler.argMax(last));
    }

    @Test
    void cachedSamplingEqualsRecomputationAndTheSeedFixesIt() {
        LlavaModel model = TinyLlava.random(m, 32);
        GenerationConfig cfg = GenerationConfig.greedy(6, Set.of()).withSampling(1.0, 0.9, 0, 7);
        long[] a = Generator.generate(model, m, prompt(), cfg).tokens();
        long[] b = Generator.generate(model, m, prompt(), cfg.withCache(false)).tokens();
        long[] again = Generator.generate(model, m, prompt(), cfg).tokens();
        assertThat(a).containsExactly(b).containsExactly(again);
    }

    @Test
    void eosAndStopSequencesEndTheAnswerAndAreLeftOut() {
        LlavaModel model = TinyLlava.random(m, 33);
        long[] free = Generator.generate(model, m, prompt(), GenerationConfig.greedy(8, Set.of())).tokens();
        Generator.Result eos = Generator.generate(model, m, prompt(), GenerationConfig.greedy(8, Set.of(free[3])));
        int firstEos = 0;
        while (free[firstEos] != free[3]) {
            firstEos++;
        }
        assertThat(eos.reason()).isEqualTo(Generator.StopReason.EOS);
        assertThat(eos.tokens()).containsExactly(java.util.Arrays.copyOf(free, firstEos));
        long[] stop = {free[4], free[5]};
        Generator.Result stopped = Generator.generate(model, m, prompt(),
                GenerationConfig.greedy(8, Set.of()).withStopSequences(List.of(stop)));
        assertThat(stopped.reason()).isEqualTo(Generator.StopReason.STOP_SEQUENCE);
        assertThat(stopped.tokens().length).isLessThanOrEqualTo(4);
        assertThat(Generator.generate(model, m, prompt(), GenerationConfig.greedy(0, Set.of())).tokens()).isEmpty();
    }

    @Test
    void samplerDrawsInProportionAndCutsTheNucleus() {
        float[] logits = {0f, (float) Math.log(3), -50f};
        TokenSampler s = new TokenSampler(GenerationConfig.greedy(1, Set.of()).withSampling(1.0, 1.0, 0, 99));
        int ones = 0;
        int n = 20000;
        for (int i = 0; i < n; i++) {
            ones += s.next(logits) == 1 ? 1 : 0;
        }
        assertThat(ones / (double) n).isCloseTo(0.75, within(0.015));
        // top-p 0.7: token 1 alone holds 0.75 of the mass, so it is the whole nucleus
        TokenSampler nucleus = new TokenSampler(GenerationConfig.greedy(1, Set.of()).withSampling(1.0, 0.7, 0, 1));
        TokenSampler top1 = new TokenSampler(GenerationConfig.greedy(1, Set.of()).withSampling(5.0, 1.0, 1, 1));
        for (int i = 0; i < 200; i++) {
            assertThat(nucleus.next(logits)).isEqualTo(1);
            assertThat(top1.next(logits)).isEqualTo(1);
        }
        assertThatThrownBy(() -> GenerationConfig.greedy(1, Set.of()).withSampling(1.0, 0, 0, 1))
                .hasMessageContaining("top-p");
    }

    @Test
    void decoderLinearsCanBeSwappedForTheQuantizationSeam() {
        LlavaModel model = TinyLlava.random(m, 34);
        NDArray before = model.forward(m, List.of(prompt())).logits();
        assertThat(LinearSwap.decoderLinears(model.languageModel())).hasSize(2 * 7)
                .containsKey("model.layers.1.mlp.down_proj").doesNotContainKey("lm_head");
        // a stand-in for a 4-bit layer: same weights, new module object
        int swapped = LinearSwap.apply(model.languageModel(), (path, l) -> {
            Linear copy = new Linear(l.inFeatures(), l.outFeatures(), l.hasBias());
            copy.weight().set(l.weight().array());
            return copy;
        });
        assertThat(swapped).isEqualTo(14);
        assertThat(model.languageModel().get("model.layers.0.self_attn.q_proj"))
                .isNotSameAs(LinearSwap.decoderLinears(model.languageModel()));
        CausalLMTest.assertClose(model.forward(m, List.of(prompt())).logits(), before, 0);
        // and the swapped layers are the ones used: zeroing one changes the output
        ((Linear) model.languageModel().get("model.layers.1.mlp.down_proj")).weight()
                .set(m.zeros(new Shape(64, 176)));
        assertThat(model.forward(m, List.of(prompt())).logits().toFloatArray()).isNotEqualTo(before.toFloatArray());
    }
}
