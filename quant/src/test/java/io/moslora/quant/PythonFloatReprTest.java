package io.moslora.quant;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PythonFloatReprTest {

    @Test
    void matchesPythonJsonDumpsOfFloat32Values() {
        // json.dumps(float(numpy.float32(v))) under CPython 3.11.
        assertThat(PythonFloatRepr.of(0.1f)).isEqualTo("0.10000000149011612");
        assertThat(PythonFloatRepr.of(1e-5f)).isEqualTo("9.999999747378752e-06");
        assertThat(PythonFloatRepr.of(0.0123f)).isEqualTo("0.012299999594688416");
        assertThat(PythonFloatRepr.of(3.0f)).isEqualTo("3.0");
        assertThat(PythonFloatRepr.of(1e20f)).isEqualTo("1.0000000200408773e+20");
        assertThat(PythonFloatRepr.of(0.0f)).isEqualTo("0.0");
        assertThat(PythonFloatRepr.of(-2.5e-7f)).isEqualTo("-2.499999993688107e-07");
        assertThat(PythonFloatRepr.of(12345.678f)).isEqualTo("12345.677734375");
        assertThat(PythonFloatRepr.of(1e16f)).isEqualTo("1.0000000272564224e+16");
        assertThat(PythonFloatRepr.of(1e-4f)).isEqualTo("9.999999747378752e-05");
    }

    @Test
    void alwaysReadsBackExactly() {
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < 2000; i++) {
            float f = Float.intBitsToFloat(r.nextInt());
            if (Float.isFinite(f)) {
                assertThat((float) Double.parseDouble(PythonFloatRepr.of(f))).isEqualTo(f);
            }
        }
    }
}
