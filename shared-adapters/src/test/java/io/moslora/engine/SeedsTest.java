package io.moslora.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.RandomUtils;
import org.junit.jupiter.api.Test;

class SeedsTest {
    private record Draw(float[] torchNormal, float[] torchUniform, double djl, long named, long other) {}

    private static Draw draw(long seed) {
        Seeds.seed(seed);
        try (NDManager m = NDManager.newBaseManager()) {
            return new Draw(m.randomNormal(new Shape(5)).toFloatArray(),
                    m.randomUniform(0, 1, new Shape(5)).toFloatArray(), RandomUtils.random(),
                    Seeds.random("data.shuffle").nextLong(), Seeds.random("lora.init").nextLong());
        }
    }

    @Test
    void sameSeedSameNumbersEverywhere() {
        Draw a = draw(42);
        Draw b = draw(42);
        assertThat(b.torchNormal()).containsExactly(a.torchNormal());
        assertThat(b.torchUniform()).containsExactly(a.torchUniform());
        assertThat(b.djl()).isEqualTo(a.djl());
        assertThat(b.named()).isEqualTo(a.named());
        assertThat(Seeds.current()).isEqualTo(42);
    }

    @Test
    void differentSeedsOrNamesDiffer() {
        Draw a = draw(42);
        Draw c = draw(43);
        assertThat(c.torchNormal()).isNotEqualTo(a.torchNormal());
        assertThat(c.djl()).isNotEqualTo(a.djl());
        assertThat(c.named()).isNotEqualTo(a.named());
        assertThat(a.named()).isNotEqualTo(a.other());
    }

    @Test
    void smallSeedsDrawWhatPyTorchDraws() {
        // torch.manual_seed(0); torch.randn(5) prints tensor([ 1.5410, -0.2934, -2.1788,  0.5684, -1.0845])
        float[] v = draw(0).torchNormal();
        float[] torch = {1.5410f, -0.2934f, -2.1788f, 0.5684f, -1.0845f};
        for (int i = 0; i < v.length; i++) {
            assertThat(v[i]).isCloseTo(torch[i], org.assertj.core.data.Offset.offset(5e-5f));
        }
    }

    @Test
    void seedsDifferingOnlyInHighBitsStillDiffer() {
        assertThat(draw(1L << 40).torchNormal()).isNotEqualTo(draw(0).torchNormal());
    }
}
