package io.moslora.train;

import io.moslora.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.moslora.nn.Parameter;
import java.util.Collection;

/** {@code torch.nn.utils.clip_grad_norm_}: scales all gradients together so their global L2 norm ≤ max. */
public final class GradientClipping {
    private GradientClipping() {}

    /** Returns the global norm before clipping. */
    public static double clipByGlobalNorm(Collection<Parameter> params, double maxNorm, NDManager stepManager) {
        // DJL makes a new gradient handle on every getGradient(): take each once, owned by the step
        java.util.List<NDArray> grads = new java.util.ArrayList<>(params.size());
        double sumSq = 0;
        for (Parameter p : params) {
            NDArray g = p.array().getGradient();
            g.attach(stepManager);
            grads.add(g);
            NDArray sq = g.square().sum();
            sumSq += sq.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
        }
        double norm = Math.sqrt(sumSq);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            grads.forEach(g -> Scalars.muli(g, coef));
        }
        return norm;
    }
}
