package io.moslora.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.Buffer;

/**
 * Arrays made from Java data whose memory libtorch owns. The only way project code turns Java values into an
 * NDArray (a source-scanning test keeps it so).
 *
 * <p>Why: on the CPU, DJL's {@code manager.create(...)} hands libtorch the Java direct buffer without copying
 * ({@code from_blob}); only the returned NDArray object keeps that buffer reachable. A view of it (reshape, get,
 * a tensor autograd saved) that outlives the object reads freed memory once the GC collects the buffer —
 * measured: a reshape kept after its sub-manager closed had all 65,536 values changed after a GC. A clone owns
 * its storage, so views of it stay valid for as long as they live.
 */
public final class OwnedArrays {
    private OwnedArrays() {}

    public static NDArray create(NDManager manager, float[] data) {
        return own(manager.create(data));
    }

    public static NDArray create(NDManager manager, float[] data, Shape shape) {
        return own(manager.create(data, shape));
    }

    public static NDArray create(NDManager manager, double[] data, Shape shape) {
        return own(manager.create(data, shape));
    }

    public static NDArray create(NDManager manager, long[] data) {
        return own(manager.create(data));
    }

    public static NDArray create(NDManager manager, long[] data, Shape shape) {
        return own(manager.create(data, shape));
    }

    public static NDArray create(NDManager manager, int[] data) {
        return own(manager.create(data));
    }

    public static NDArray create(NDManager manager, int[] data, Shape shape) {
        return own(manager.create(data, shape));
    }

    public static NDArray create(NDManager manager, boolean[] data, Shape shape) {
        return own(manager.create(data, shape));
    }

    public static NDArray create(NDManager manager, Buffer data, Shape shape, DataType type) {
        return own(manager.create(data, shape, type));
    }

    /**
     * A libtorch-allocated array whose values are not set ({@code torch.empty}): for native code that writes every
     * element into its storage. Nothing aliases it.
     */
    public static NDArray uninitialized(NDManager manager, Shape shape, DataType type) {
        return manager.create(shape, type);
    }

    /**
     * A copy of a freshly created array in libtorch-owned memory; the aliasing original is closed at once so its
     * buffer is not held twice. On an accelerator DJL already copies to the device, so nothing is done there.
     */
    private static NDArray own(NDArray aliasing) {
        if (!Device.Type.CPU.equals(aliasing.getDevice().getDeviceType())) {
            return aliasing;
        }
        try (aliasing) {
            return aliasing.duplicate();
        }
    }
}
