package io.moslora.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.LoraLinear;
import io.moslora.engine.Seeds;
import io.moslora.nn.Container;
import io.moslora.nn.Linear;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerResumeTest {
    @TempDir Path tmp;

    /** A frozen linear map with a MoSLoRA adapter (dropout on, so the RNG matters) learning a fixed target map. */
    static Container model(NDManager m) {
        Seeds.seed(11);
        Container root = new Container();
        root.addChild("proj", new Linear(8, 8, false));
        root.materialize(m, DataType.FLOAT32);
        AdapterConfig c = new AdapterConfig(AdapterKind.MOSLORA, 4, 8, 0.1, List.of("proj"), null, false, List.of(),
                false, io.moslora.adapters.MixerInit.KAIMING, false, List.of(), null, null);
        AdapterInjector.inject(root, c, m);
        return root;
    }

    static Trainer.LossFunction task(Container model) {
        return (step, micro, scope) -> {
            Random r = new Random(step * 31 + micro); // the batch is a pure function of (step, micro)
            float[] x = new float[4 * 8];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            NDArray in = scope.manager().create(x, new Shape(4, 8));
            NDArray target = in.flip(1).mul(0.5f);
            NDArray y = ((LoraLinear) model.get("proj")).forward(in);
            return y.sub(target).square().mean();
        };
    }

    static Trainer.Settings settings(Path out, boolean resume) {
        return new Trainer.Settings(10, 2, 1.0, new LrSchedule(LrSchedule.Kind.COSINE, 0.05, 2, 10), 0.0, 5, 4, 2, out,
                resume, "resume-test", false);
    }

    @Test
    void killAndResumeEndsWithTheSameAdapterAsAnUninterruptedRun() throws Exception {
        float[] uninterrupted;
        try (NDManager m = NDManager.newBaseManager()) {
            Container a = model(m);
            Trainer.run(a, settings(tmp.resolve("a"), false), task(a), m);
            uninterrupted = flat(a);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Container b = model(m);
            Trainer.LossFunction dies = (step, micro, scope) -> {
                if (step == 6) {
                    throw new IllegalStateException("killed");
                }
                return task(b).loss(step, micro, scope);
            };
            assertThatThrownBy(() -> Trainer.run(b, settings(tmp.resolve("b"), false), dies, m)).hasMessage("killed");
        }
        assertThat(Files.list(tmp.resolve("b/checkpoints")).map(p -> p.getFileName().toString()).toList())
                .containsExactly("checkpoint-00000004");
        try (NDManager m = NDManager.newBaseManager()) {
            Container c = model(m);
            Trainer.Result r = Trainer.run(c, settings(tmp.resolve("b"), true), task(c), m);
            assertThat(r.stepsRun()).isEqualTo(6);
            assertThat(r.losses()).hasSize(10);
            assertThat(flat(c)).containsExactly(uninterrupted);
        }
        assertThat(Files.readAllLines(tmp.resolve("b/metrics.jsonl"))).hasSize(10);
        assertThat(tmp.resolve("b/loss.png")).isNotEmptyFile();
    }

    static float[] flat(Container model) {
        Map<String, NDArray> state = model.stateDict();
        return state.entrySet().stream().filter(e -> e.getKey().contains("lora_"))
                .map(e -> e.getValue().toFloatArray())
                .reduce(new float[0], (x, y) -> {
                    float[] z = java.util.Arrays.copyOf(x, x.length + y.length);
                    System.arraycopy(y, 0, z, x.length, y.length);
                    return z;
                });
    }
}
