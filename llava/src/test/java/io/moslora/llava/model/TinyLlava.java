package io.moslora.llava.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.config.LlavaConfig;
import io.moslora.config.TinyConfigs;
import io.moslora.engine.Seeds;
import io.moslora.nn.Module;
import java.util.Random;

/** Test fixtures: the shipped tiny LLaVA with random weights, norms perturbed so they matter, random images. */
public final class TinyLlava {
    private TinyLlava() {}

    public static LlavaConfig config() {
        return TinyConfigs.load("tiny-llava", LlavaConfig.class);
    }

    public static LlavaModel random(NDManager m, long seed) {
        Seeds.seed(seed);
        return randomize(new LlavaModel(config()), m);
    }

    /** Materializes and moves norm weights/biases away from 1/0 (their init), so wrong norms would show. */
    public static <T extends Module> T randomize(T model, NDManager m) {
        model.materialize(m, DataType.FLOAT32);
        model.namedParameters().forEach((k, p) -> {
            if (k.contains("norm") || k.contains("layernorm") || k.contains("layrnorm")) {
                NDArray noise = m.randomUniform(-0.5f, 0.5f, p.shape());
                p.set(p.array().add(noise));
            }
        });
        return model;
    }

    /** A normalised-looking image {@code float[3·32·32]} for the tiny tower. */
    public static float[] image(long seed) {
        Random r = new Random(seed);
        float[] px = new float[3 * 32 * 32];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextGaussian();
        }
        return px;
    }
}
