package io.moslora.quant;

import ai.djl.ndarray.NDArray;
import io.moslora.engine.Ops;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;
import io.moslora.nn.RMSNorm;

/**
 * One LLaMA decoder block (pre-norm causal attention without rotary embedding, SwiGLU MLP) with Hugging Face
 * names, for benchmarks in this module: the real model lives in {@code llava}, which depends on {@code quant}.
 */
final class BenchLlamaBlock extends Module {
    private final int heads;

    BenchLlamaBlock(int hidden, int heads, int intermediate) {
        this.heads = heads;
        addChild("input_layernorm", new RMSNorm(hidden, 1e-6));
        for (String p : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
            addChild(p, new Linear(hidden, hidden, false));
        }
        addChild("post_attention_layernorm", new RMSNorm(hidden, 1e-6));
        addChild("gate_proj", new Linear(hidden, intermediate, false));
        addChild("up_proj", new Linear(hidden, intermediate, false));
        addChild("down_proj", new Linear(intermediate, hidden, false));
    }

    /** {@code x [batch, seq, hidden]} → same shape. */
    NDArray forward(NDArray x) {
        long b = x.getShape().get(0);
        long s = x.getShape().get(1);
        long h = x.getShape().get(2);
        NDArray n = layer("input_layernorm").forward(x);
        NDArray q = heads(layer("q_proj").forward(n), b, s, h);
        NDArray k = heads(layer("k_proj").forward(n), b, s, h);
        NDArray v = heads(layer("v_proj").forward(n), b, s, h);
        NDArray a = Ops.sdpa(q, k, v, null, true, null).transpose(0, 2, 1, 3).reshape(b, s, h);
        NDArray x2 = x.add(layer("o_proj").forward(a));
        NDArray m = layer("post_attention_layernorm").forward(x2);
        NDArray g = Ops.silu(layer("gate_proj").forward(m)).mul(layer("up_proj").forward(m));
        return x2.add(layer("down_proj").forward(g));
    }

    private NDArray heads(NDArray t, long b, long s, long h) {
        return t.reshape(b, s, heads, h / heads).transpose(0, 2, 1, 3);
    }
}
