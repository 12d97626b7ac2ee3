package io.moslora.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

class DjlSmokeTest {
    @Test
    void matmulAndGradientWorkOffline() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = x.matMul(x).sum();
                gc.backward(y);
            }
            // d/dX sum(X X) = 1 1^T X^T + X^T 1 1^T
            assertThat(x.getGradient().toFloatArray()).containsExactly(7f, 11f, 9f, 13f);
        }
    }
}
