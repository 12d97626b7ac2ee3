package io.moslora.sdxl.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ClassifierFreeGuidanceTest {
    @Test
    void combineIsUncondPlusScaleTimesDifference() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray uncond = F64.of(m, 1.0, -2.0, 0.5);
            NDArray text = F64.of(m, 2.0, 0.0, 0.5);
            // 1 + 5·(2−1) = 6; −2 + 5·(0+2) = 8; 0.5 + 5·0 = 0.5
            assertThat(ClassifierFreeGuidance.combine(uncond, text, 5.0).toDoubleArray()).containsExactly(6, 8, 0.5);
            // w = 1 is the text prediction itself, w = 0 the unconditional one
            assertThat(ClassifierFreeGuidance.combine(uncond, text, 1.0).toDoubleArray()).containsExactly(2, 0, 0.5);
            assertThat(ClassifierFreeGuidance.enabled(1.0)).isFalse();
            assertThat(ClassifierFreeGuidance.enabled(5.0)).isTrue();
        }
    }

    @Test
    void stackedBatchIsUncondFirstAndRescaleMatchesTheTextStd() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(3);
            NDArray uncond = m.randomNormal(new Shape(2, 4, 3, 3)).toType(ai.djl.ndarray.types.DataType.FLOAT64, false);
            NDArray text = m.randomNormal(new Shape(2, 4, 3, 3)).toType(ai.djl.ndarray.types.DataType.FLOAT64, false);
            NDArray stacked = NDArrays.concat(new ai.djl.ndarray.NDList(uncond, text), 0);
            NDArray plain = ClassifierFreeGuidance.fromStackedBatch(stacked, 7.5, 0.0);
            assertThat(plain.sub(ClassifierFreeGuidance.combine(uncond, text, 7.5)).abs().max().getDouble()).isZero();

            // φ = 1: each sample rescaled to exactly the text prediction's standard deviation
            NDArray full = ClassifierFreeGuidance.fromStackedBatch(stacked, 7.5, 1.0);
            double[] stdFull = ClassifierFreeGuidance.std(full).toDoubleArray();
            double[] stdText = ClassifierFreeGuidance.std(text).toDoubleArray();
            assertThat(stdFull).containsExactly(stdText, within(1e-12));
            // φ = 0.7: the convex mix 0.7·rescaled + 0.3·plain
            NDArray mixed = ClassifierFreeGuidance.fromStackedBatch(stacked, 7.5, 0.7);
            NDArray expected = full.mul(0.7).add(plain.mul(0.3));
            assertThat(mixed.sub(expected).abs().max().getDouble()).isLessThan(1e-12);
        }
    }

    @Test
    void stdUsesBesselsCorrectionPerSample() {
        try (NDManager m = NDManager.newBaseManager()) {
            // sample 0: {1, 2, 3, 4} → mean 2.5, Σ(x−m)² = 5, /3 → std √(5/3); sample 1 constant → 0
            NDArray x = m.create(new double[] {1, 2, 3, 4, 7, 7, 7, 7}, new Shape(2, 2, 2));
            assertThat(ClassifierFreeGuidance.std(x).toDoubleArray())
                    .containsExactly(new double[] {Math.sqrt(5.0 / 3), 0}, within(1e-15));
            assertThat(ClassifierFreeGuidance.std(x).getShape()).isEqualTo(new Shape(2, 1, 1));
        }
    }
}
