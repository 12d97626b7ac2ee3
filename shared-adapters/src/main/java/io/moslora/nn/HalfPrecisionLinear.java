package io.moslora.nn;

import ai.djl.ndarray.NDArray;
import io.moslora.engine.Dispatcher;

/**
 * A frozen {@link Linear} kept in a half type ({@link Precision#FP16} or {@link Precision#BF16}): the input is
 * narrowed, {@code aten::linear} runs in the half type, and the result is widened back to the input's float32, so
 * an adapter around it and the loss stay float32. Gradients flow to the input (not to the frozen weight). It takes
 * over the Linear's own {@link Parameter}s, so state-dict keys and tied weights are unchanged.
 */
public final class HalfPrecisionLinear extends Module implements LinearLayer {
    private final Precision precision;
    private final long in;
    private final long out;
    private final boolean hasBias;

    /** Converts {@code linear}'s weight (and bias) in place to {@code precision} and freezes them. */
    public HalfPrecisionLinear(Linear linear, Precision precision) {
        if (!precision.isHalf()) {
            throw new IllegalArgumentException("HalfPrecisionLinear needs fp16 or bf16, not " + precision);
        }
        this.precision = precision;
        this.in = linear.inFeatures();
        this.out = linear.outFeatures();
        this.hasBias = linear.hasBias();
        addParameter("weight", narrowInPlace(linear.weight(), precision));
        if (hasBias) {
            addParameter("bias", narrowInPlace(linear.parameter("bias"), precision));
        }
    }

    /** Freezes {@code p} and stores its values in {@code precision}'s type (once, even when shared). */
    static Parameter narrowInPlace(Parameter p, Precision precision) {
        p.setTrainable(false);
        p.set(precision.narrow(p.array()));
        return p;
    }

    public Precision precision() {
        return precision;
    }

    @Override
    public long inFeatures() {
        return in;
    }

    @Override
    public long outFeatures() {
        return out;
    }

    /** A float32 copy of the weight in the weight's manager; the caller owns (closes or adopts) it. */
    @Override
    public NDArray denseWeight() {
        return Precision.widen(parameter("weight").array());
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray narrow = precision.narrow(x);
        NDArray y = Dispatcher.op("aten::linear", "")
                .tensor(narrow)
                .tensor(parameter("weight").array())
                .optTensor(hasBias ? parameter("bias").array() : null)
                .call(x.getManager());
        return Precision.widen(y);
    }
}
