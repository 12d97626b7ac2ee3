package io.moslora.llava.model;

import io.moslora.engine.StepScope;
import io.moslora.engine.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Autoregressive decoding for one prompt: the prompt (already embedded, images spliced in) is run once, then each
 * new token is embedded and run against the KV cache — or, with the cache off, the whole sequence is recomputed,
 * which must give the same tokens and serves as the check. Every step's temporaries live in a scope of their own.
 */
public final class Generator {
    public enum StopReason { EOS, STOP_SEQUENCE, LENGTH }

    /** The new tokens (without the EOS id or stop sequence that ended them) and why generation stopped. */
    public record Result(long[] tokens, StopReason reason) {}

    private Generator() {}

    /** Continues a LLaVA prompt (ids with −200 where its images go). */
    public static Result generate(LlavaModel model, NDManager m, LlavaSample prompt, GenerationConfig config) {
        try (NDManager scope = m.newSubManager()) {
            MultimodalInputs in = model.prepare(scope, List.of(prompt), 0);
            return generate(model.languageModel(), in.embeds(), config);
        }
    }

    /** Continues a text prompt of token ids. */
    public static Result generate(CausalLM lm, NDManager m, long[] promptIds, GenerationConfig config) {
        try (NDManager scope = m.newSubManager()) {
            return generate(lm, lm.embed(OwnedArrays.create(scope, promptIds).reshape(1, promptIds.length)), config);
        }
    }

    /** Continues prompt embeddings {@code [1, T, hidden]}. */
    public static Result generate(CausalLM lm, NDArray promptEmbeds, GenerationConfig config) {
        if (promptEmbeds.getShape().get(0) != 1) {
            throw new IllegalArgumentException("generation takes one prompt at a time, got a batch of "
                    + promptEmbeds.getShape().get(0));
        }
        List<Long> out = new ArrayList<>();
        if (config.maxNewTokens() == 0) {
            return new Result(new long[0], StopReason.LENGTH);
        }
        NDManager base = promptEmbeds.getManager();
        TokenSampler sampler = new TokenSampler(config);
        try (KvCache cache = config.useCache() ? lm.newCache(base) : null) {
            float[] logits;
            try (NDManager step = base.newSubManager()) {
                logits = lastRow(lm.forward(StepScope.copyInto(promptEmbeds, step), null, cache));
            }
            while (true) {
                long token = sampler.next(logits);
                if (config.eosIds().contains(token)) {
                    return result(out, StopReason.EOS, 0);
                }
                out.add(token);
                int stop = endingStopSequence(out, config.stopSequences());
                if (stop > 0) {
                    return result(out, StopReason.STOP_SEQUENCE, stop);
                }
                if (out.size() >= config.maxNewTokens()) {
                    return result(out, StopReason.LENGTH, 0);
                }
                try (NDManager step = base.newSubManager()) {
                    if (cache != null) {
                        NDArray next = lm.embed(OwnedArrays.create(step, new long[] {token}).reshape(1, 1));
                        logits = lastRow(lm.forward(next, null, cache));
                    } else {
                        long[] ids = out.stream().mapToLong(Long::longValue).toArray();
                        NDArray generated = lm.embed(OwnedArrays.create(step, ids).reshape(1, ids.length));
                        NDArray all = StepScope.copyInto(promptEmbeds, step).concat(generated, 1);
                        logits = lastRow(lm.forward(all, null, null));
                    }
                }
            }
        }
    }


    private static float[] lastRow(NDArray logits) {
        return logits.get(new NDIndex(":, -1, :")).toType(DataType.FLOAT32, false).toFloatArray();
    }

    /** The length of a stop sequence the output ends with, or 0. */
    private static int endingStopSequence(List<Long> out, List<long[]> stops) {
        for (long[] s : stops) {
            if (s.length > 0 && s.length <= out.size()) {
                boolean match = true;
                for (int i = 0; i < s.length && match; i++) {
                    match = out.get(out.size() - s.length + i) == s[i];
                }
                if (match) {
                    return s.length;
                }
            }
        }
        return 0;
    }

    private static Result result(List<Long> out, StopReason reason, int drop) {
        long[] tokens = out.stream().mapToLong(Long::longValue).toArray();
        return new Result(Arrays.copyOf(tokens, tokens.length - drop), reason);
    }
}
