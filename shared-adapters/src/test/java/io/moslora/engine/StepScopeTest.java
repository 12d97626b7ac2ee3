package io.moslora.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class StepScopeTest {
    @Test
    void temporariesAreFreedAndKeptResultsSurvive() {
        try (NDManager root = NDManager.newBaseManager()) {
            NDArray[] temp = new NDArray[1];
            NDArray kept = StepScope.run(root, s -> {
                NDArray x = s.manager().create(new float[] {1, 2, 3});
                temp[0] = x.mul(2);
                return s.keep(x.sum());
            });
            assertThat(temp[0].isReleased()).isTrue();
            assertThat(kept.isReleased()).isFalse();
            assertThat(kept.getFloat()).isEqualTo(6f);
            assertThat(kept.getManager()).isSameAs(root);
        }
    }

    @Test
    void gradientsDoNotAccumulateWhenZeroedEachStep() {
        try (NDManager root = NDManager.newBaseManager()) {
            NDArray w = root.create(new float[] {1, 2});
            w.setRequiresGradient(true);
            for (int step = 0; step < 3; step++) {
                float[] grad = StepScope.run(root, s -> {
                    StepScope.zeroGradient(w);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        // d/dw sum(x * w) = x = [3, 4]
                        gc.backward(s.manager().create(new float[] {3, 4}).mul(w).sum());
                    }
                    NDArray g = s.gradient(w);
                    assertThat(g.getManager()).isSameAs(s.manager());
                    return g.toFloatArray();
                });
                assertThat(grad).containsExactly(3f, 4f);
            }
        }
    }
}
