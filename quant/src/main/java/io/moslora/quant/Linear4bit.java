package io.moslora.quant;

import io.moslora.engine.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import io.moslora.nn.Init;
import io.moslora.nn.LinearLayer;
import io.moslora.nn.Module;
import io.moslora.nn.Parameter;

/**
 * A frozen {@code y = x·Wᵀ + b} whose weight lives only as 4-bit codes plus (double-quantized) block scales — the
 * QLoRA base layer. Each forward dequantizes W on the input's device and in the input's dtype (on a GPU through
 * {@link TorchDequantizer}; on the CPU through the native kernel), multiplies, and lets W go with the step's arrays: there is no persistent dense
 * copy. W is a constant of the graph, so backward yields the input gradient only.
 *
 * <p>State-dict names: the optional {@code bias} is an ordinary (frozen) {@link Parameter}. The quantized weight
 * is not: bitsandbytes stores it under dotted keys ({@code weight}, {@code weight.absmax}, {@code weight.quant_map},
 * ...) that a module tree cannot register, and as integer data that no float {@code Parameter} should hold. It is
 * saved and loaded through {@link BnbLinear4bitState} instead ({@link Quantizer#bnbStateDict}).
 */
public final class Linear4bit extends Module implements LinearLayer {
    private final QuantState state;
    private final boolean hasBias;
    private final NDManager manager;

    /**
     * {@code state} must be 2-D {@code [out, in]}; a bias, if any, is set afterwards ({@link #bias()}).
     * {@code manager} is the model's (its device): {@link #denseWeight()} builds the dense weight there.
     */
    public Linear4bit(QuantState state, boolean bias, NDManager manager) {
        if (state.shape().length != 2) {
            throw new IllegalArgumentException("a 4-bit Linear needs a 2-D [out, in] weight, got shape "
                    + java.util.Arrays.toString(state.shape()));
        }
        this.state = state;
        this.hasBias = bias;
        this.manager = manager;
        if (bias) {
            addParameter("bias", new Parameter(new Shape(state.shape()[0]), Init.zeros()));
        }
        setTrainable(false);
    }

    /** The packed codes and scales (what a bitsandbytes file holds for {@code weight}). */
    public QuantState state() {
        return state;
    }

    public boolean hasBias() {
        return hasBias;
    }

    public Parameter bias() {
        return parameter("bias");
    }

    @Override
    public long inFeatures() {
        return state.shape()[1];
    }

    @Override
    public long outFeatures() {
        return state.shape()[0];
    }

    /** A fresh dequantized float32 weight {@code [out, in]} in the model's manager; the caller closes it. */
    @Override
    public NDArray denseWeight() {
        return dequantize(manager, DataType.FLOAT32);
    }

    /**
     * On the CPU the native kernel (same bits, tested) is several times faster than the libtorch op chain, and it
     * writes straight into the new tensor's storage (no Java array in between); anywhere else the table gather runs
     * on the device itself. For a 4096² weight most of the time goes to obtaining 64 MB of fresh memory (page faults)
     * per call; only a fused dequantize-and-multiply kernel avoids that.
     */
    private NDArray dequantize(NDManager target, DataType dtype) {
        FourBitKernels kernels = FourBitKernels.nativeOrNull();
        if (kernels == null || !ai.djl.Device.Type.CPU.equals(target.getDevice().getDeviceType())) {
            return TorchDequantizer.dequantize(target, state, dtype);
        }
        NDArray w = OwnedArrays.uninitialized(target, new Shape(state.shape()), dtype);
        // a direct buffer over w's own storage (w is dense and contiguous), not a copy
        state.dequantizeInto(kernels, ((PtNDArray) w).toByteBuffer(true), dtype == DataType.FLOAT16);
        return w;
    }

    @Override
    public NDArray forward(NDArray x) {
        DataType dtype = x.getDataType() == DataType.FLOAT16 ? DataType.FLOAT16 : DataType.FLOAT32;
        NDArray w = dequantize(x.getManager(), dtype);
        NDArray b = hasBias ? bias().array() : null;
        try {
            // the same kernel a dense frozen Linear uses (MKL on the CPU), so both give the same bits
            return io.moslora.engine.Ops.linear(x, w, b);
        } finally {
            // libtorch's autograd keeps its own reference to W for the input gradient; ours can go now, so no
            // dense copy outlives the call whichever manager x belongs to
            w.close();
        }
    }
}
