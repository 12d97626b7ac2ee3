package io.moslora.engine;

import static io.moslora.engine.Close.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.moslora.engine.onnx.OnnxTensor;
import io.moslora.engine.onnx.OnnxTestCase;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Ops} against ONNX's own reference data (Debian libonnx-testdata). Operator attributes that live
 * in each test's model.onnx are restated here from those files (checked with a hex dump).
 */
class OnnxReferenceTest {
    private NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    @Test
    void erf() {
        OnnxTestCase t = OnnxTestCase.node("test_erf");
        NDArray y = Ops.erf(t.input(0).toNDArray(m));
        assertThat(y.getShape()).isEqualTo(t.output(0).shape());
        assertClose(y.toFloatArray(), t.output(0).floats(), 1e-6);
    }

    /** Opset 13 Softmax: along one axis (attribute axis, default -1). */
    @ParameterizedTest
    @ValueSource(strings = {"test_softmax_axis_0:0", "test_softmax_axis_1:1", "test_softmax_axis_2:2",
        "test_softmax_default_axis:-1", "test_softmax_negative_axis:-1", "test_softmax_example:-1",
        "test_softmax_large_number:-1"})
    void softmax(String spec) {
        String[] parts = spec.split(":");
        OnnxTestCase t = OnnxTestCase.node(parts[0]);
        NDArray y = Ops.softmax(t.input(0).toNDArray(m), Integer.parseInt(parts[1]));
        assertThat(y.getShape()).isEqualTo(t.output(0).shape());
        assertClose(y.toFloatArray(), t.output(0).floats(), 1e-6);
    }

    static List<String> layerNormTests() {
        return OnnxTestCase.nodeTests("test_layer_normalization_");
    }

    /**
     * Every LayerNormalization case: the axis is in the test's name ("axis1", "axis_negative_2", default
     * -1), epsilon is 0.1 in the "_epsilon" cases and the default 1e-5 otherwise; scale and bias have the
     * normalised shape.
     */
    @ParameterizedTest
    @MethodSource("layerNormTests")
    void layerNorm(String name) {
        OnnxTestCase t = OnnxTestCase.node(name);
        NDArray x = t.input(0).toNDArray(m);
        int rank = x.getShape().dimension();
        int axis = axisFromName(name, rank);
        double eps = name.endsWith("_epsilon") ? 0.1f : 1e-5;
        Shape normalized = x.getShape().slice(axis);
        NDArray w = t.input(1).toNDArray(m).reshape(normalized);
        NDArray b = t.input(2).toNDArray(m).reshape(normalized);
        NDArray y = Ops.layerNorm(x, normalized, w, b, eps);
        assertClose(y.toFloatArray(), t.output(0).floats(), 1e-5);
        if (axis == rank - 1) {
            NDArray last = Ops.layerNorm(x, w, b, eps);
            assertClose(last.toFloatArray(), t.output(0).floats(), 1e-5);
        }
    }

    private static int axisFromName(String name, int rank) {
        if (name.contains("default_axis")) {
            return rank - 1;
        }
        String tail = name.substring(name.indexOf("axis") + 4);
        boolean negative = tail.startsWith("_negative_");
        String digits = (negative ? tail.substring("_negative_".length()) : tail).replaceAll("\\D.*", "");
        int axis = Integer.parseInt(digits);
        return negative ? rank - axis : axis;
    }

    /**
     * SoftmaxCrossEntropyLoss, reduction mean, no weights, ignore_index 2 (all three files). Inputs are
     * [N,C,d...] with labels [N,d...]; Ops.crossEntropy takes rows, so classes move to the last axis.
     */
    @ParameterizedTest
    @ValueSource(strings = {"test_sce_mean_no_weight_ii", "test_sce_mean_no_weight_ii_3d",
        "test_sce_mean_no_weight_ii_4d"})
    void softmaxCrossEntropyWithIgnoreIndex(String name) {
        OnnxTestCase t = OnnxTestCase.node(name);
        NDArray x = t.input(0).toNDArray(m);
        long[] labels = t.input(1).longs();
        assertThat(labels).as("the generator plants the ignored label first").startsWith(2L);
        long classes = x.getShape().get(1);
        int[] order = new int[x.getShape().dimension()];
        order[0] = 0;
        for (int i = 1; i < order.length - 1; i++) {
            order[i] = i + 1;
        }
        order[order.length - 1] = 1;
        NDArray rows = x.transpose(order).reshape(-1, classes);
        NDArray loss = Ops.crossEntropy(rows, m.create(labels), 2);
        OnnxTensor expected = t.output(0);
        assertThat(expected.dims()).isEmpty();
        assertThat((double) loss.getFloat()).isCloseTo(expected.floats()[0],
                org.assertj.core.data.Offset.offset(1e-6 * Math.abs(expected.floats()[0])));
        assertThat(Arrays.stream(labels).filter(l -> l == 2).count()).isPositive();
    }
}
