package io.moslora.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.cli.UserError;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;
import io.moslora.nn.ModuleList;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdapterInjectorTest {
    /** LLaMA-like names: model.layers.N.self_attn.{q,k,v,o}_proj, mlp.{gate,up,down}_proj, lm_head. */
    static Module llamaLike(int layers, long h, long ff, long vocab) {
        Module root = new Module() {};
        Module model = root.addChild("model", new Module() {});
        ModuleList<Module> list = model.addChild("layers", new ModuleList<>());
        for (int i = 0; i < layers; i++) {
            Module layer = new Module() {};
            Module attn = layer.addChild("self_attn", new Module() {});
            for (String p : List.of("q_proj", "k_proj", "v_proj", "o_proj")) {
                attn.addChild(p, new Linear(h, h, false));
            }
            Module mlp = layer.addChild("mlp", new Module() {});
            mlp.addChild("gate_proj", new Linear(h, ff, false));
            mlp.addChild("up_proj", new Linear(h, ff, false));
            mlp.addChild("down_proj", new Linear(ff, h, false));
            list.add(layer);
        }
        root.addChild("lm_head", new Linear(h, vocab, false));
        return root;
    }

    @Test
    void suffixTargetsAndTrainableCountsMatchPeft() {
        Module model = llamaLike(2, 16, 40, 100);
        long base = model.parameterCount();
        List<String> hit = AdapterInjector.inject(model, AdapterConfig.of(AdapterKind.LORA, 4, 8, List.of("q_proj", "v_proj")), null);
        assertThat(hit).containsExactly("model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj",
                "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj");
        // PEFT: r·(in+out) per target
        assertThat(model.trainableParameterCount()).isEqualTo(4L * 4 * (16 + 16));
        assertThat(model.parameterCount()).isEqualTo(base + 4L * 4 * (16 + 16));
        assertThat(model.namedParameters()).containsKeys("model.layers.0.self_attn.q_proj.lora_A.weight",
                "model.layers.0.self_attn.q_proj.lora_B.weight", "model.layers.0.self_attn.q_proj.base_layer.weight");
    }

    @Test
    void mosloraAddsRSquaredPerTargetAndAllLinearSkipsTheHead() {
        Module model = llamaLike(1, 16, 40, 100);
        AdapterConfig c = new AdapterConfig(AdapterKind.MOSLORA, 8, 16, 0, List.of(), null, true, List.of("down_proj"),
                false, MixerInit.KAIMING, false, List.of(), null, "CAUSAL_LM");
        List<String> hit = AdapterInjector.inject(model, c, null);
        assertThat(hit).hasSize(6).noneMatch(p -> p.endsWith("lm_head") || p.endsWith("down_proj"));
        long perAttn = 8L * (16 + 16) + 64;
        long perMlp = 8L * (16 + 40) + 64;
        assertThat(model.trainableParameterCount()).isEqualTo(4 * perAttn + 2 * perMlp);
    }

    @Test
    void regexMustMatchTheWholePathAndNoMatchIsAClearError() {
        Module model = llamaLike(2, 8, 8, 10);
        AdapterConfig re = new AdapterConfig(AdapterKind.LORA, 2, 2, 0, List.of(), "model\\.layers\\.1\\..*_proj", false,
                List.of(), false, MixerInit.KAIMING, false, List.of(), null, null);
        assertThat(AdapterInjector.inject(model, re, null)).hasSize(7).allMatch(p -> p.startsWith("model.layers.1."));
        assertThatThrownBy(() -> AdapterInjector.inject(llamaLike(1, 8, 8, 10),
                AdapterConfig.of(AdapterKind.LORA, 2, 2, List.of("query")), null))
                .isInstanceOf(UserError.class).hasMessageContaining("[query]").hasMessageContaining("q_proj");
    }

    @Test
    void configRoundTripsThroughPeftJson() throws Exception {
        AdapterConfig c = new AdapterConfig(AdapterKind.TS_MIXING, 8, 16, 0.05, List.of("q_proj", "v_proj"), null, false,
                List.of(), true, MixerInit.BUTTERFLY, true, List.of("lm_head"), "tiny", "CAUSAL_LM");
        String json = new ObjectMapper().writeValueAsString(c.toJson());
        assertThat(json).contains("\"lora_use_mixer\":true").contains("\"init_lora_weights\":\"gaussian\"");
        assertThat(AdapterConfig.fromJson(new ObjectMapper().readTree(json), Path.of("a.json"))).isEqualTo(c);
        String plain = new ObjectMapper().writeValueAsString(AdapterConfig.of(AdapterKind.LORA, 4, 8, List.of("q")).toJson());
        assertThat(plain).doesNotContain("mixer");
        assertThatThrownBy(() -> AdapterConfig.fromJson(new ObjectMapper().readTree("{\"r\":\"eight\"}"), Path.of("x/adapter_config.json")))
                .isInstanceOf(UserError.class).hasMessage("x/adapter_config.json: field r: expected a number, got \"eight\"");
    }
}
