package io.moslora.llava.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.moslora.engine.StepScope;
import io.moslora.nn.Parameter;
import io.moslora.train.AdamW;
import java.util.Map;
import java.util.function.Function;

/**
 * One benchmark training step as a {@link Runnable}: zero the gradients, forward to a loss, backward, AdamW update
 * (lr 1e-4, no weight decay, no clipping — the PyTorch peers do exactly this), all temporaries in a step scope.
 */
final class AdamWStep {
    private AdamWStep() {}

    /** @param loss builds the scalar loss with the step's manager */
    static Runnable of(Map<String, Parameter> trainable, NDManager root, Function<NDManager, NDArray> loss) {
        AdamW opt = new AdamW(trainable, root, 0.9, 0.999, 1e-8, 0.0);
        return () -> {
            try (StepScope scope = new StepScope(root)) {
                opt.zeroGradients();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(loss.apply(scope.manager()));
                }
                opt.step(1e-4, scope.manager());
            }
        };
    }
}
