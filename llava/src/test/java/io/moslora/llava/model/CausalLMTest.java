package io.moslora.llava.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.config.InternLM2Config;
import io.moslora.config.LlamaConfig;
import io.moslora.nn.Parameter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CausalLMTest {
    static final String TINY = "{\"vocab_size\":50,\"hidden_size\":32,\"intermediate_size\":48,\"num_hidden_layers\":2,"
            + "\"num_attention_heads\":4,\"num_key_value_heads\":%d,\"max_position_embeddings\":64,\"rope_theta\":500.0,"
            + "\"tie_word_embeddings\":false}";
    NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(3);
    }

    @AfterEach
    void close() {
        m.close();
    }

    static LlamaConfig llama(int kvHeads) throws Exception {
        return LlamaConfig.fromJson(new ObjectMapper().readTree(String.format(TINY, kvHeads)), Path.of("tiny/config.json"));
    }

    CausalLM materialized(CausalLM lm) {
        lm.materialize(m, DataType.FLOAT32);
        // RMSNorm weights start at 1; perturb them so the norms are really exercised
        lm.namedParameters().forEach((k, p) -> {
            if (k.endsWith("norm.weight")) {
                p.set(p.array().add(m.randomUniform(-0.5f, 0.5f, p.shape())));
            }
        });
        return lm;
    }

    @Test
    void parameterNamesAreTheHuggingFaceLlamaKeys() throws Exception {
        CausalLM lm = new CausalLM(llama(2));
        assertThat(lm.namedParameters().keySet()).contains("model.embed_tokens.weight",
                "model.layers.1.self_attn.k_proj.weight", "model.layers.0.mlp.down_proj.weight",
                "model.layers.0.post_attention_layernorm.weight", "model.norm.weight", "lm_head.weight");
        // 50·32 embed + 2·(32·32 q + 2·32·16 kv + 32·32 o + 3·32·48 mlp + 2·32 norms) + 32 norm + 50·32 head
        assertThat(lm.parameterCount()).isEqualTo(1600 + 2 * (1024 + 1024 + 1024 + 4608 + 64) + 32 + 1600);
    }

    @Test
    void kvCacheGenerationEqualsFullRecomputation() throws Exception {
        CausalLM lm = materialized(new CausalLM(llama(2)));
        NDArray ids = m.create(new long[] {3, 14, 15, 9, 26, 5, 35}).reshape(1, 7);
        NDArray full = lm.forward(lm.embed(ids), null, null);
        try (KvCache cache = lm.newCache(m)) {
            NDArray prefix = lm.forward(lm.embed(ids.get(":, :4")), null, cache);
            assertClose(prefix, full.get(":, :4, :"), 1e-5);
            for (int t = 4; t < 7; t++) {
                NDArray step = lm.forward(lm.embed(ids.get(new NDIndex(":, {}:{}", t, t + 1))), null, cache);
                assertClose(step, full.get(new NDIndex(":, {}:{}, :", t, t + 1)), 1e-5);
            }
            assertThat(cache.length()).isEqualTo(7);
        }
    }

    @Test
    void groupedQueryAttentionEqualsMultiHeadWithRepeatedKeyValueHeads() throws Exception {
        CausalLM gqa = materialized(new CausalLM(llama(2)));
        CausalLM mha = new CausalLM(llama(4));
        mha.materialize(m, DataType.FLOAT32);
        Map<String, Parameter> src = gqa.namedParameters();
        mha.namedParameters().forEach((k, p) -> {
            NDArray w = src.get(k).array();
            if (k.endsWith("k_proj.weight") || k.endsWith("v_proj.weight")) {
                w = w.reshape(2, 1, 8, 32).repeat(1, 2).reshape(32, 32); // kv head j serves query heads 2j, 2j+1
            }
            p.set(w.duplicate());
        });
        NDArray ids = m.create(new long[] {1, 2, 3, 4, 5}).reshape(1, 5);
        assertClose(mha.forward(mha.embed(ids), null, null), gqa.forward(gqa.embed(ids), null, null), 1e-5);
    }

    @Test
    void internLm2WithFusedWqkvEqualsTheSameWeightsInLlamaLayout() throws Exception {
        CausalLM llama = materialized(new CausalLM(llama(2)));
        InternLM2Config cfg = InternLM2Config.fromJson(new ObjectMapper().readTree(String.format(TINY, 2)
                .replace("{", "{\"model_type\":\"internlm2\",\"bias\":false,")), Path.of("tiny-internlm2/config.json"));
        CausalLM intern = new CausalLM(cfg);
        Map<String, Parameter> l = llama.namedParameters();
        Map<String, String> renames = Map.of("tok_embeddings", "embed_tokens", "attention_norm", "input_layernorm",
                "ffn_norm", "post_attention_layernorm", "attention.wo", "self_attn.o_proj", "feed_forward.w1",
                "mlp.gate_proj", "feed_forward.w3", "mlp.up_proj", "feed_forward.w2", "mlp.down_proj", "output", "lm_head");
        intern.namedParameters().forEach((k, p) -> {
            if (k.endsWith("wqkv.weight")) {
                String prefix = k.replace("attention.wqkv.weight", "self_attn.");
                // rows per KV head j: q heads 2j and 2j+1, then k head j, then v head j (8 rows each)
                NDArray q = l.get(prefix + "q_proj.weight").array().reshape(2, 16, 32);
                NDArray kk = l.get(prefix + "k_proj.weight").array().reshape(2, 8, 32);
                NDArray v = l.get(prefix + "v_proj.weight").array().reshape(2, 8, 32);
                p.set(q.concat(kk, 1).concat(v, 1).reshape(64, 32));
                return;
            }
            String name = k;
            for (Map.Entry<String, String> e : renames.entrySet()) {
                name = name.replace(e.getKey(), e.getValue());
            }
            assertThat(l).as("llama key for %s", k).containsKey(name);
            p.set(l.get(name).array().duplicate());
        });
        NDArray ids = m.create(new long[] {7, 8, 9, 10}).reshape(1, 4);
        assertClose(intern.forward(intern.embed(ids), null, null), llama.forward(llama.embed(ids), null, null), 1e-5);
    }

    @Test
    void paddedKeysAreIgnored() throws Exception {
        CausalLM lm = materialized(new CausalLM(llama(2)));
        NDArray ids = m.create(new long[] {4, 5, 6, 0, 0}).reshape(1, 5);
        NDArray mask = m.create(new long[] {1, 1, 1, 0, 0}).reshape(1, 5);
        NDArray padded = lm.forward(lm.embed(ids), mask, null).get(":, :3, :");
        NDArray plain = lm.forward(lm.embed(ids.get(":, :3")), null, null);
        assertClose(padded, plain, 1e-5);
    }

    static void assertClose(NDArray a, NDArray e, double tol) {
        assertThat(a.getShape()).isEqualTo(e.getShape());
        float[] x = a.toFloatArray();
        float[] y = e.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            assertThat((double) x[i]).isCloseTo(y[i], within(tol * Math.max(1, Math.abs(y[i]))));
        }
    }
}
