package io.moslora.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The tensor operations the models need, in one place: DJL where it has them, libtorch's dispatcher
 * ({@link Dispatcher}) where it does not. Every result belongs to the manager of the first tensor
 * argument, like DJL's own operators (so pass a step temporary first, see {@link StepScope}).
 * All operations are differentiable under a DJL {@code GradientCollector}.
 */
public final class Ops {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private Ops() {}

    /**
     * Fused scaled-dot-product attention ({@code aten::scaled_dot_product_attention}).
     *
     * @param q [B,H,L,D]; k, v [B,H,S,D]
     * @param mask null, boolean (true = attend) or additive float, broadcastable to [B,H,L,S]
     * @param causal applies the lower-triangular (top-left aligned) mask
     * @param scale null for 1/sqrt(D)
     */
    public static NDArray sdpa(NDArray q, NDArray k, NDArray v, NDArray mask, boolean causal, Double scale) {
        if (causal && mask != null) {
            throw new EngineException("sdpa: give either a mask or causal=true, not both (libtorch refuses it)");
        }
        return Dispatcher.op("aten::scaled_dot_product_attention", "")
                .tensor(q).tensor(k).tensor(v).optTensor(mask)
                .f64(0.0) // dropout_p
                .bool(causal)
                .optF64(scale)
                .bool(false) // enable_gqa
                .call(q.getManager());
    }

    /**
     * {@code y = x·Wᵀ + b} (PyTorch layout, {@code weight [out, in]}; bias may be null) through DJL's {@code linear}
     * (libtorch's MKL sgemm, with AVX-512 on AMD CPUs too when run through the launcher: {@link MklVendorCheck}).
     */
    public static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
    }

    /**
     * {@code y = x·Wᵀ + b} with libtorch's oneDNN kernel ({@code aten::mkldnn_linear}; x goes to oneDNN's layout and
     * back, the dense weight is used as it is). Forward only, for {@code bench gemm}'s comparison of libraries: MKL
     * with its AVX-512 kernels was faster on every product of the bench-adapters step (BENCHMARKS.md).
     */
    public static NDArray oneDnnLinear(NDArray x, NDArray weight, NDArray bias) {
        NDManager owner = x.getManager();
        try (PtNDArray xo = Dispatcher.op("aten::to_mkldnn", "").tensor(x).none().call(owner);
                PtNDArray yo = Dispatcher.op("aten::mkldnn_linear", "").tensor(xo).tensor(weight).optTensor(bias)
                        .call(owner)) {
            return Dispatcher.op("aten::to_dense", "").tensor(yo).none().none().call(owner);
        }
    }

    /** Group norm over x [N,C,...] in {@code groups} groups; weight/bias [C] may be null. */
    public static NDArray groupNorm(NDArray x, int groups, NDArray weight, NDArray bias, double eps) {
        long channels = x.getShape().get(1);
        if (groups <= 0 || channels % groups != 0) {
            throw new EngineException("groupNorm: " + channels + " channels do not split into " + groups + " groups");
        }
        return Dispatcher.op("aten::group_norm", "")
                .tensor(x).i64(groups).optTensor(weight).optTensor(bias).f64(eps)
                .bool(true) // cudnn_enabled
                .call(x.getManager());
    }

    /** Layer norm over the last dimension; weight/bias [D] may be null. */
    public static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias, double eps) {
        return layerNorm(x, new Shape(x.getShape().get(x.getShape().dimension() - 1)), weight, bias, eps);
    }

    /** Layer norm over the trailing dimensions {@code normalizedShape}; weight/bias of that shape or null. */
    public static NDArray layerNorm(NDArray x, Shape normalizedShape, NDArray weight, NDArray bias, double eps) {
        DataType type = Bf16Guard.dataType(x);
        try (NDManager scratch = x.getManager().newSubManager()) {
            NDArray w = weight != null ? weight : Bf16Guard.toType(scratch.ones(normalizedShape), type);
            NDArray b = bias != null ? bias : Bf16Guard.toType(scratch.zeros(normalizedShape), type);
            return Bf16Guard.safe(
                    JniUtils.layerNorm((PtNDArray) x, normalizedShape, (PtNDArray) w, (PtNDArray) b, eps));
        }
    }

    /**
     * LLaMA RMSNorm: {@code w * (x * rsqrt(mean(x^2, -1) + eps))}, normalised in float32 and cast back to
     * x's dtype before the weight (as Hugging Face does); the result dtype follows torch promotion.
     */
    public static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        boolean bf16 = Bf16Guard.isBf16(x);
        DataType type = x.getDataType();
        NDArray xf = bf16 ? fromBf16(x) : type == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        NDArray meanSquare = xf.square().mean(new int[] {-1}, true);
        NDArray normed = xf.mul(rsqrt(meanSquare.add(eps)));
        NDArray back = bf16 ? toBf16(normed) : type == DataType.FLOAT32 ? normed : normed.toType(type, false);
        return weight == null ? back : Bf16Guard.safe(back.mul(weight));
    }

    /** 1/sqrt(x), fused ({@code aten::rsqrt}). */
    public static NDArray rsqrt(NDArray x) {
        return Dispatcher.op("aten::rsqrt", "").tensor(x).call(x.getManager());
    }

    /** GELU with the exact erf form. */
    public static NDArray gelu(NDArray x) {
        return Activation.gelu(x);
    }

    /** GELU with the tanh approximation ({@code gelu_pytorch_tanh}, {@code gelu_new}). */
    public static NDArray geluTanh(NDArray x) {
        NDArray inner = Scalars.mul(Scalars.mul(Scalars.pow(x, 3), 0.044715).add(x), SQRT_2_OVER_PI);
        return Scalars.mul(inner.tanh().add(1).mul(x), 0.5);
    }

    /** CLIP's {@code quick_gelu}: {@code x * sigmoid(1.702 x)}. */
    public static NDArray quickGelu(NDArray x) {
        return x.mul(Activation.sigmoid(Scalars.mul(x, 1.702)));
    }

    /** SiLU / swish, fused ({@code aten::silu}). */
    public static NDArray silu(NDArray x) {
        return Dispatcher.op("aten::silu", "").tensor(x).call(x.getManager());
    }

    public static NDArray softmax(NDArray x, int axis) {
        return x.softmax(axis);
    }

    public static NDArray erf(NDArray x) {
        return x.erf();
    }

    /**
     * Mean cross-entropy of logits [N,V] against int64 labels [N], skipping labels equal to
     * {@code ignoreIndex}; 0 (with zero gradient) when every label is ignored, where PyTorch gives NaN.
     */
    public static NDArray crossEntropy(NDArray logits, NDArray labels, long ignoreIndex) {
        if (logits.getShape().dimension() != 2 || labels.getShape().dimension() != 1
                || labels.getShape().get(0) != logits.getShape().get(0)) {
            throw new EngineException("crossEntropy wants logits [N,V] and labels [N], got "
                    + logits.getShape() + " and " + labels.getShape());
        }
        NDArray keep = labels.neq(ignoreIndex);
        NDArray safeLabels = NDArrays.where(keep, labels, labels.zerosLike());
        NDArray picked = logits.logSoftmax(1).gather(safeLabels.toType(DataType.INT64, false).expandDims(1), 1)
                .squeeze(1);
        NDArray weights = keep.toType(picked.getDataType(), false);
        NDArray count = Scalars.maximum(weights.sum(), 1);
        return picked.mul(weights).sum().neg().div(count);
    }

    /** Casts to bf16 through libtorch; the result is a {@link Bf16NDArray}. */
    public static NDArray toBf16(NDArray x) {
        if (x instanceof Bf16NDArray) {
            return x;
        }
        return Dispatcher.op("aten::to", "dtype").tensor(x).scalarType(Dispatcher.SCALAR_BFLOAT16)
                .bool(false).bool(false).none().call(x.getManager());
    }

    /** Widens bf16 (or any float type) to float32 through libtorch. */
    public static NDArray fromBf16(NDArray x) {
        return Dispatcher.op("aten::to", "dtype").tensor(x).scalarType(Dispatcher.SCALAR_FLOAT)
                .bool(false).bool(false).none().call(x.getManager());
    }

    /**
     * Matrix product computed in bf16 ({@code aten::matmul}, batched/broadcast like torch.matmul).
     * Inputs of other float types are cast to bf16 first; the result is bf16 ({@link Bf16NDArray}).
     */
    public static NDArray matMulBf16(NDArray a, NDArray b) {
        NDArray a16 = toBf16(a);
        NDArray b16 = toBf16(b);
        try {
            return Dispatcher.op("aten::matmul", "").tensor(a16).tensor(b16).call(a.getManager());
        } finally {
            if (a16 != a) {
                a16.close();
            }
            if (b16 != b) {
                b16.close();
            }
        }
    }
}
