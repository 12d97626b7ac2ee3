package io.moslora.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class DispatcherTest {
    @Test
    void callsAnAtenOperatorWithScalarsAndOptionals() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            // (Scalar arguments are not supported by the 2.7 shim, so the examples avoid them)
            NDArray y = Dispatcher.op("aten::mm", "").tensor(x).tensor(x).call(m);
            assertThat(y.toFloatArray()).containsExactly(7f, 10f, 15f, 22f);
            assertThat(y.getManager()).isSameAs(m);
            // softmax.int(Tensor self, int dim, ScalarType? dtype=None)
            NDArray s = Dispatcher.op("aten::softmax", "int").tensor(m.create(new float[] {0f, 0f})).i64(0)
                    .none().call(m);
            assertThat(s.toFloatArray()).containsExactly(0.5f, 0.5f);
            assertThat(Dispatcher.scalarTypeOf(x)).isEqualTo(Dispatcher.SCALAR_FLOAT);
            assertThat(Dispatcher.scalarTypeOf(m.create(new long[] {1}))).isEqualTo(4); // torch Long
        }
    }

    @Test
    void presentOptionalFloatIsPassedBoxed() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.create(new float[] {1, 0, 0, 1}, new Shape(1, 1, 2, 2));
            NDArray v = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            // scale 0 makes every score 0, so the output is the plain mean of the values
            NDArray y = Dispatcher.op("aten::scaled_dot_product_attention", "").tensor(q).tensor(q).tensor(v)
                    .none().f64(0).bool(false).optF64(0.0).bool(false).call(m);
            assertThat(y.toFloatArray()).containsExactly(2f, 3f, 2f, 3f);
        }
    }

    @Test
    void libtorchErrorsBecomeJavaExceptions() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.ones(new Shape(2, 3));
            assertThatThrownBy(() -> Dispatcher.op("aten::mm", "").tensor(a).tensor(a).call(m))
                    .isInstanceOf(EngineException.class).hasMessageContaining("aten::mm");
            assertThatThrownBy(() -> Dispatcher.op("aten::no_such_op", "").tensor(a).call(m))
                    .isInstanceOf(EngineException.class).hasMessageContaining("aten::no_such_op");
            // the JVM and the arrays are still fine afterwards
            assertThat(a.sum().getFloat()).isEqualTo(6f);
            assertThat(a.getDataType()).isEqualTo(DataType.FLOAT32);
        }
    }
}
