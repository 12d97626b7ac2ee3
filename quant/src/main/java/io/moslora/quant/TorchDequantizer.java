package io.moslora.quant;

import io.moslora.engine.Scalars;
import io.moslora.engine.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;

/**
 * Dequantization with libtorch ops on the manager's device, so a 4-bit weight becomes a dense one where the
 * model runs (a GPU when there is one) without a round trip through Java arrays. Integer ops split the bytes
 * into nibbles, a {@code take} from the 16-entry table turns them into codes, and one multiply per element by
 * its block's absmax scales them: the same float32 operations as the Java and native kernels, so the bits match.
 */
public final class TorchDequantizer {
    private TorchDequantizer() {}

    /** The dense weight in {@code dtype} (FLOAT32 or FLOAT16), shaped like the original, owned by {@code manager}. */
    public static NDArray dequantize(NDManager manager, QuantState s, DataType dtype) {
        long n = s.numel();
        try (NDManager scope = manager.newSubManager()) {
            NDArray bytes = OwnedArrays.create(scope, ByteBuffer.wrap(s.packed()), new Shape(s.packed().length), DataType.UINT8)
                    .toType(DataType.INT64, false);
            NDArray low = bytes.mod(16);
            NDArray high = Scalars.div(bytes.sub(low), 16).toType(DataType.INT64, false); // exact: a multiple of 16 over 16
            NDArray codes = high.reshape(-1, 1).concat(low.reshape(-1, 1), 1).reshape(-1); // even element first
            NDArray values = OwnedArrays.create(scope, s.code()).take(scope, codes).get(new NDIndex("0:" + n));
            NDArray dense = scaleByBlock(scope, values, absmax(scope, s), s.blocksize(), n);
            NDArray result = dense.reshape(new Shape(s.shape()));
            if (dtype != DataType.FLOAT32) {
                result = result.toType(dtype, false);
            }
            result.attach(manager);
            return result;
        }
    }

    /** The block absmax on the device: double-quantized ones are expanded there with the same two roundings. */
    private static NDArray absmax(NDManager scope, QuantState s) {
        if (!s.doubleQuant()) {
            return OwnedArrays.create(scope, s.absmax());
        }
        DoubleQuant dq = s.nested();
        NDArray q = OwnedArrays.create(scope, ByteBuffer.wrap(dq.codes()), new Shape(dq.codes().length), DataType.UINT8)
                .toType(DataType.INT64, false);
        NDArray centred = OwnedArrays.create(scope, dq.code()).take(scope, q);
        NDArray scaled = scaleByBlock(scope, centred, OwnedArrays.create(scope, dq.scales()), dq.blocksize(), dq.codes().length);
        return scaled.add(dq.offset());
    }

    /** {@code values[i] * scales[i / blocksize]}, padding a partial last block so every block is one row. */
    private static NDArray scaleByBlock(NDManager scope, NDArray values, NDArray scales, int blocksize, long n) {
        long blocks = (n + blocksize - 1) / blocksize;
        long padded = blocks * blocksize;
        NDArray v = values;
        if (padded != n) {
            v = v.concat(scope.zeros(new Shape(padded - n), DataType.FLOAT32));
        }
        return v.reshape(blocks, blocksize).mul(scales.reshape(blocks, 1)).reshape(-1).get(new NDIndex("0:" + n));
    }
}
