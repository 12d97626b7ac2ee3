package io.moslora.quant;

import ai.djl.ndarray.NDArray;
import io.moslora.engine.Ops;
import io.moslora.nn.Embedding;
import io.moslora.nn.Linear;
import io.moslora.nn.Module;
import io.moslora.nn.RMSNorm;

/** A two-layer next-token model (embedding, RMSNorm, SwiGLU-free MLP, head) with LLaMA-style names, for tests. */
final class TinyLm extends Module {
    static final int VOCAB = 16;
    static final int DIM = 64;

    TinyLm() {
        addChild("embed_tokens", new Embedding(VOCAB, DIM));
        addChild("norm", new RMSNorm(DIM, 1e-6));
        addChild("up_proj", new Linear(DIM, 2 * DIM, true));
        addChild("down_proj", new Linear(2 * DIM, DIM, false));
        addChild("lm_head", new Linear(DIM, VOCAB, false));
    }

    NDArray logits(NDArray ids) {
        NDArray h = layer("embed_tokens").forward(ids);
        NDArray u = Ops.silu(layer("up_proj").forward(layer("norm").forward(h)));
        return layer("lm_head").forward(h.add(layer("down_proj").forward(u)));
    }
}
