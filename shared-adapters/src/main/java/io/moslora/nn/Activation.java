package io.moslora.nn;

import ai.djl.ndarray.NDArray;
import io.moslora.engine.Ops;
import java.util.function.UnaryOperator;

/** The activations Hugging Face configs name in {@code hidden_act}, mapped to the engine's ops. */
public enum Activation {
    GELU(Ops::gelu),
    GELU_TANH(Ops::geluTanh),
    QUICK_GELU(Ops::quickGelu),
    SILU(Ops::silu),
    RELU(x -> x.getNDArrayInternal().relu());

    private final UnaryOperator<NDArray> fn;

    Activation(UnaryOperator<NDArray> fn) {
        this.fn = fn;
    }

    public NDArray apply(NDArray x) {
        return fn.apply(x);
    }

    /** transformers' ACT2FN names. */
    public static Activation fromHf(String name) {
        return switch (name) {
            case "gelu" -> GELU;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> GELU_TANH;
            case "quick_gelu" -> QUICK_GELU;
            case "silu", "swish" -> SILU;
            case "relu" -> RELU;
            default -> throw new IllegalArgumentException("unsupported hidden_act '" + name + "'");
        };
    }
}
