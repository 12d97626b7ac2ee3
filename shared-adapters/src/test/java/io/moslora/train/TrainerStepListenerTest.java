package io.moslora.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.moslora.engine.Seeds;
import io.moslora.nn.Container;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainerStepListenerTest {
    /** Settings of the resume test without anything on disk: 10 steps, accumulation 2, dropout in the model. */
    private static Trainer.Settings settings() {
        Trainer.Settings s = TrainerResumeTest.settings(null, false);
        return new Trainer.Settings(s.steps(), s.gradAccum(), s.maxGradNorm(), s.schedule(), s.weightDecay(), s.seed(),
                0, 2, null, false, "listener-test", false);
    }

    @Test
    void listenerRunsAfterEveryStepAndWhatItDoesCannotChangeTraining() {
        float[] plain;
        try (NDManager m = NDManager.newBaseManager()) {
            Container a = TrainerResumeTest.model(m);
            Trainer.run(a, settings(), TrainerResumeTest.task(a), m);
            plain = TrainerResumeTest.flat(a);
        }
        List<Long> calls = new ArrayList<>();
        List<Boolean> trainingAtLoss = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            Container b = TrainerResumeTest.model(m);
            Trainer.LossFunction task = TrainerResumeTest.task(b);
            Trainer.run(b, settings(), (step, micro, scope) -> {
                trainingAtLoss.add(b.isTraining());
                return task.loss(step, micro, scope);
            }, m, stepsDone -> {
                calls.add(stepsDone);
                // what a validation pass does: eval mode, its own seed, random draws from torch's generator
                b.train(false);
                Seeds.seed(999);
                try (NDManager v = m.newSubManager()) {
                    v.randomNormal(new Shape(1000), DataType.FLOAT32);
                }
            });
            assertThat(TrainerResumeTest.flat(b)).containsExactly(plain);
        }
        assertThat(calls).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(trainingAtLoss).hasSize(20).containsOnly(true); // dropout on in every step, after the listener too
    }
}
