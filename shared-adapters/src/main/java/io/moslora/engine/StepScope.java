package io.moslora.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Function;

/**
 * One training or inference step in its own NDManager sub-scope, so that every temporary it makes is
 * freed when the step ends (DESIGN.md §3: resident memory stays flat only this way).
 *
 * <p>Rules inside a step: an operator's result belongs to its first operand's manager, so write the
 * step's temporaries first ({@code x.matMul(w)}, not {@code w.matMul(x)}) or {@link #attach} them;
 * read gradients through {@link #gradient}, which attaches them here; move results that must outlive
 * the step to the parent with {@link #keep}.
 */
public final class StepScope implements AutoCloseable {
    private final NDManager parent;
    private final NDManager manager;

    public StepScope(NDManager parent) {
        this.parent = parent;
        this.manager = parent.newSubManager();
    }

    /** Runs {@code step} in a fresh scope and closes it afterwards; the step's return value is not moved. */
    public static <T> T run(NDManager parent, Function<StepScope, T> step) {
        try (StepScope scope = new StepScope(parent)) {
            return step.apply(scope);
        }
    }

    /** The step's manager: create inputs here. */
    public NDManager manager() {
        return manager;
    }

    /** Adopts an array made elsewhere (e.g. a result whose first operand was a parameter). */
    public <A extends NDArray> A attach(A array) {
        array.attach(manager);
        return array;
    }

    /** The gradient of a parameter, owned by this step (DJL makes a new handle on each call). */
    public NDArray gradient(NDArray parameter) {
        return attach(parameter.getGradient());
    }

    /** Resets a parameter's accumulated gradient; gradients add up across collectors otherwise. */
    public static void zeroGradient(NDArray parameter) {
        if (parameter.hasGradient()) {
            JniUtils.zeroGrad((PtNDArray) parameter);
        }
    }

    /**
     * A copy of {@code a} owned by {@code manager}. A result belongs to its first operand's manager, so a step that
     * starts from such a copy keeps everything it computes in its own memory, freed with it.
     */
    public static NDArray copyInto(NDArray a, NDManager manager) {
        NDArray copy = a.duplicate();
        copy.attach(manager);
        return copy;
    }

    /** Moves an array to the parent manager so that it survives {@link #close}. */
    public <A extends NDArray> A keep(A array) {
        array.attach(parent);
        return array;
    }

    @Override
    public void close() {
        manager.close();
    }
}
