package io.moslora.eval.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Golden values printed by numpy 2.x ({@code float(np.mean(np.array(v)))}). */
class NumpyMeanTest {
    @Test
    void pairwiseSummationMatchesNumpy() {
        double[] eight = new double[8];
        Arrays.fill(eight, 0.1);
        assertThat(NumpyMean.mean(eight)).isEqualTo(0.1); // a plain loop gives 0.09999999999999999
        double[] many = new double[300];
        Arrays.fill(many, 0.1);
        assertThat(NumpyMean.mean(many)).isEqualTo(0.09999999999999999); // a plain loop: 0.10000000000000052
        double[] thirds = new double[32];
        for (int i = 0; i < 32; i++) {
            thirds[i] = (i % 10) / 3.0;
        }
        assertThat(NumpyMean.mean(thirds)).isEqualTo(1.4166666666666665); // a plain loop: ...667
        assertThat(NumpyMean.mean(new double[0])).isNaN();
    }

    @Test
    void floatReprLikePython() {
        assertThat(PyFloat.repr(2.0 / 3)).isEqualTo("0.6666666666666666");
        assertThat(PyFloat.repr(1.0)).isEqualTo("1.0");
        assertThat(PyFloat.repr(125.0)).isEqualTo("125.0");
        assertThat(PyFloat.repr(1e-5)).isEqualTo("1e-05");
        assertThat(PyFloat.repr(0.0001)).isEqualTo("0.0001");
        assertThat(PyFloat.repr(1e16)).isEqualTo("1e+16");
        assertThat(PyFloat.repr(53.333333333333336)).isEqualTo("53.333333333333336");
        assertThat(PyFloat.repr(Double.NaN)).isEmpty();
    }
}
