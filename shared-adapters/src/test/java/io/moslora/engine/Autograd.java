package io.moslora.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import java.util.function.Function;

/** Runs a function on fresh leaf copies of its inputs and returns its output and input gradients. */
final class Autograd {
    private Autograd() {}

    /**
     * Index 0: the output; index 1..n: d sum(output * probe) / d input_i, with a fixed pseudo-random probe
     * (so every output element matters with a different weight). Fresh leaves: no gradient accumulation.
     */
    static NDArray[] run(NDManager m, Function<NDArray[], NDArray> f, NDArray... inputs) {
        NDArray[] leaves = new NDArray[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            leaves[i] = inputs[i].duplicate();
            leaves[i].setRequiresGradient(true);
        }
        NDArray[] result = new NDArray[inputs.length + 1];
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray out = f.apply(leaves);
            gc.backward(out.mul(probe(m, out.getShape())).sum());
            result[0] = out.stopGradient();
        }
        for (int i = 0; i < inputs.length; i++) {
            result[i + 1] = leaves[i].getGradient();
        }
        return result;
    }

    static NDArray probe(NDManager m, Shape shape) {
        Random r = new Random(shape.hashCode());
        float[] p = new float[(int) shape.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return m.create(p, shape);
    }

    /** A reproducible float tensor with values in [-range, range). */
    static NDArray random(NDManager m, long seed, double range, long... shape) {
        Random r = new Random(seed);
        Shape s = new Shape(shape);
        float[] v = new float[(int) s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * range);
        }
        return m.create(v, s);
    }
}
