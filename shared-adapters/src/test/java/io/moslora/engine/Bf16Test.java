package io.moslora.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** bf16 through the facade: exact rounding, matmul accuracy, and the guard that keeps DJL from aborting. */
class Bf16Test {
    private NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    /** IEEE round-to-nearest-even of a float to its top 16 bits (finite values). */
    static short javaBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    private static float[] samples() {
        Random r = new Random(7);
        float[] v = new float[4096];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.intBitsToFloat(r.nextInt() & 0x7F7FFFFF | (r.nextBoolean() ? 0x80000000 : 0));
        }
        // halfway ties both ways, smallest normal/subnormal, zero signs, one ulp neighbours
        float[] special = {1.00390625f, 1.01171875f, -1.00390625f, Float.MIN_NORMAL, Float.MIN_VALUE, 0f, -0f,
            Math.nextUp(1.00390625f), Math.nextDown(1.00390625f), 65504f, 3.3895314e38f, 1f / 3};
        System.arraycopy(special, 0, v, 0, special.length);
        return v;
    }

    @Test
    void roundTripIsRoundToNearestEven() {
        float[] v = samples();
        NDArray x = m.create(v);
        NDArray b = Ops.toBf16(x);
        assertThat(b.getDataType()).isEqualTo(DataType.BFLOAT16);
        assertThat(Bf16Guard.isBf16(b)).isTrue();
        ByteBuffer bits = Bf16Guard.toBytes(b).order(ByteOrder.LITTLE_ENDIAN);
        float[] back = Ops.fromBf16(b).toFloatArray();
        for (int i = 0; i < v.length; i++) {
            short expected = javaBf16(v[i]);
            assertThat(bits.getShort(2 * i)).as("bits of %s", v[i]).isEqualTo(expected);
            assertThat(Float.floatToRawIntBits(back[i])).as("widened %s", v[i]).isEqualTo(expected << 16);
        }
    }

    @Test
    void createFromBf16BytesIsBitExact() {
        short[] raw = {0x3F80, (short) 0xC000, 0x0001, 0x7F7F, (short) 0x8000, 0x4049};
        ByteBuffer data = ByteBuffer.allocate(raw.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : raw) {
            data.putShort(s);
        }
        data.flip();
        NDArray b = Bf16Guard.create(m, data, new Shape(2, 3), DataType.BFLOAT16);
        assertThat(b.getShape()).isEqualTo(new Shape(2, 3));
        ByteBuffer out = Bf16Guard.toBytes(b).order(ByteOrder.LITTLE_ENDIAN);
        float[] wide = Ops.fromBf16(b).toFloatArray();
        for (int i = 0; i < raw.length; i++) {
            assertThat(out.getShort(2 * i)).isEqualTo(raw[i]);
            assertThat(Float.floatToRawIntBits(wide[i])).isEqualTo(raw[i] << 16);
        }
        assertThat(wide[0]).isEqualTo(1f);
        assertThat(wide[1]).isEqualTo(-2f);
    }

    @Test
    void createWidensInt16Exactly() {
        ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort((short) -32768).putShort((short) -1).putShort((short) 0).putShort((short) 32767).flip();
        NDArray x = Bf16Guard.create(m, data, new Shape(4), DataType.INT16);
        assertThat(x.getDataType()).isEqualTo(DataType.INT32);
        assertThat(x.toIntArray()).containsExactly(-32768, -1, 0, 32767);
        assertThatThrownBy(() -> Bf16Guard.requireDjlSafe(DataType.INT16, "w.safetensors: tensor t"))
                .isInstanceOf(EngineException.class).hasMessageContaining("w.safetensors: tensor t");
    }

    @Test
    void createRejectsWrongByteCount() {
        ByteBuffer data = ByteBuffer.allocate(5);
        assertThatThrownBy(() -> Bf16Guard.create(m, data, new Shape(3), DataType.BFLOAT16))
                .isInstanceOf(EngineException.class).hasMessageContaining("5 bytes");
    }

    @Test
    void matMulBf16IsWithinBf16Tolerance() {
        NDArray a = Autograd.random(m, 1, 1.0, 16, 64);
        NDArray b = Autograd.random(m, 2, 1.0, 64, 24);
        float[] got = Ops.fromBf16(Ops.matMulBf16(a, b)).toFloatArray();
        // exact product of the bf16-rounded inputs (float32 accumulation), and of the float32 inputs
        float[] ofRounded = Ops.fromBf16(Ops.toBf16(a)).matMul(Ops.fromBf16(Ops.toBf16(b))).toFloatArray();
        float[] f32 = a.matMul(b).toFloatArray();
        float[] magnitude = a.abs().matMul(b.abs()).toFloatArray();
        double eps = Math.pow(2, -8); // bf16 unit roundoff (8 significant bits)
        for (int i = 0; i < got.length; i++) {
            // only the final rounding to bf16 (plus float32 accumulation noise) separates these two
            assertThat((double) Math.abs(got[i] - ofRounded[i]))
                    .isLessThanOrEqualTo(eps * Math.abs(ofRounded[i]) + 1e-5 * magnitude[i]);
            // input rounding adds at most 2 eps relative to sum |a||b|
            assertThat((double) Math.abs(got[i] - f32[i])).isLessThanOrEqualTo(3 * eps * magnitude[i]);
        }
        assertThat(Close.relativeError(got, f32)).isGreaterThan(0.0); // it really ran in bf16
    }

    @Test
    void bf16OpsAreDifferentiable() {
        NDArray a = Autograd.random(m, 3, 1.0, 4, 8);
        NDArray b = Autograd.random(m, 4, 1.0, 8, 3);
        NDArray[] r = Autograd.run(m, x -> Ops.fromBf16(Ops.matMulBf16(x[0], x[1])), a, b);
        NDArray[] f = Autograd.run(m, x -> x[0].matMul(x[1]), a, b);
        // gradients flow through the casts; bf16 backward agrees with float32 to bf16 accuracy
        Close.assertClose(r[1].toFloatArray(), f[1].toFloatArray(), 0.02);
        Close.assertClose(r[2].toFloatArray(), f[2].toFloatArray(), 0.02);
    }

    @Test
    void guardThrowsWhereDjlWouldAbort() {
        // The DJL calls guarded here (toType(BFLOAT16), create(..., BFLOAT16)) kill the JVM; they are
        // never made in this test: only their guarded replacements are.
        assertThatThrownBy(() -> Bf16Guard.requireDjlSafe(DataType.BFLOAT16, "load model.safetensors"))
                .isInstanceOf(EngineException.class).hasMessageContaining("load model.safetensors");
        assertThat(Bf16Guard.requireDjlSafe(DataType.FLOAT16, "x")).isEqualTo(DataType.FLOAT16);

        NDArray x = m.create(new float[] {1.5f, -2.25f, 3.0f});
        NDArray b = Bf16Guard.toType(x, DataType.BFLOAT16);
        assertThat(b).isInstanceOf(Bf16NDArray.class);
        // the safe wrapper routes DJL's own toType through the guard
        assertThat(b.toType(DataType.BFLOAT16, false)).isSameAs(b);
        assertThat(b.toType(DataType.FLOAT32, false).toFloatArray()).containsExactly(1.5f, -2.25f, 3.0f);
        assertThat(b.toType(DataType.FLOAT16, false).getDataType()).isEqualTo(DataType.FLOAT16);
        // DJL's readers refuse bf16 with an exception instead of misreading it
        assertThatThrownBy(b::toFloatArray).isInstanceOf(IllegalStateException.class);
        assertThat(Bf16Guard.isBf16(x)).isFalse();
    }

    @Test
    void fusedOpsOnBf16InputsReturnSafeBf16Arrays() {
        NDArray x = Ops.toBf16(Autograd.random(m, 8, 2.0, 1, 4, 3, 3));
        NDArray gn = Ops.groupNorm(x, 2, null, null, 1e-5);
        assertThat(gn).isInstanceOf(Bf16NDArray.class);
        assertThat(gn.getDataType()).isEqualTo(DataType.BFLOAT16);
        NDArray ln = Ops.layerNorm(x, null, null, 1e-5);
        assertThat(ln).isInstanceOf(Bf16NDArray.class);
        float[] expected = Ops.layerNorm(Ops.fromBf16(x), null, null, 1e-5).toFloatArray();
        Close.assertClose(Ops.fromBf16(ln).toFloatArray(), expected, 1e-2);
        NDArray q = Ops.toBf16(Autograd.random(m, 9, 1.0, 1, 2, 4, 8));
        assertThat(Ops.sdpa(q, q, q, null, true, null)).isInstanceOf(Bf16NDArray.class);
        // a plain DJL operator on bf16 gives an array DJL cannot name; safe() wraps it
        NDArray sum = Bf16Guard.safe(x.add(x));
        assertThat(sum.getDataType()).isEqualTo(DataType.BFLOAT16);
        assertThat(Bf16Guard.dataType(x.add(x))).isEqualTo(DataType.BFLOAT16);
    }

    @Test
    void rmsNormKeepsBf16AndComputesInFloat32() {
        NDArray x = Autograd.random(m, 5, 3.0, 2, 16);
        NDArray w = Autograd.random(m, 6, 1.0, 16);
        NDArray w16 = Ops.toBf16(w);
        NDArray y = Ops.rmsNorm(Ops.toBf16(x), w16, 1e-6);
        assertThat(y).isInstanceOf(Bf16NDArray.class);
        NDArray ref = Ops.rmsNorm(Ops.fromBf16(Ops.toBf16(x)), null, 1e-6);
        float[] expected = Ops.fromBf16(Ops.toBf16(ref)).mul(Ops.fromBf16(w16)).toFloatArray();
        Close.assertClose(Ops.fromBf16(y).toFloatArray(), expected, 1e-2);
    }
}
