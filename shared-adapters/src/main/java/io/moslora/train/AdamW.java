package io.moslora.train;

import io.moslora.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.moslora.engine.StepScope;
import io.moslora.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW exactly as {@code torch.optim.AdamW} (decoupled weight decay, bias-corrected moments), updating
 * parameters in place. Moments live in the optimizer's own manager; each step's temporaries in the step manager
 * the caller passes, so memory stays flat over thousands of steps.
 */
public final class AdamW {
    private final Map<String, Parameter> params;
    private final NDManager stateManager;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, Group> groups;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long step;

    /**
     * A parameter group's own settings, as torch's {@code param_groups}: its learning rate is the schedule's value
     * times {@code lrFactor} (what LambdaLR does to a group with its own base lr), and its own weight decay.
     */
    public record Group(double lrFactor, double weightDecay) {}

    public AdamW(Map<String, Parameter> params, NDManager stateManager, double beta1, double beta2, double eps,
            double weightDecay) {
        this(params, stateManager, beta1, beta2, eps, weightDecay, Map.of());
    }

    /** @param groups by parameter key; a parameter not listed uses lr × 1 and {@code weightDecay} */
    public AdamW(Map<String, Parameter> params, NDManager stateManager, double beta1, double beta2, double eps,
            double weightDecay, Map<String, Group> groups) {
        this.groups = Map.copyOf(groups);
        this.params = new LinkedHashMap<>(params);
        this.stateManager = stateManager;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    public long stepCount() {
        return step;
    }

    /** Applies one update with learning rate {@code lr} from the parameters' current gradients. */
    public void step(double baseLr, NDManager stepManager) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Group group = groups.get(e.getKey());
            double lr = group == null ? baseLr : baseLr * group.lrFactor();
            double weightDecay = group == null ? this.weightDecay : group.weightDecay();
            NDArray w = e.getValue().array();
            NDArray g = w.getGradient();
            g.attach(stepManager);
            NDArray mt = m.computeIfAbsent(e.getKey(), k -> stateManager.zeros(w.getShape(), w.getDataType()));
            NDArray vt = v.computeIfAbsent(e.getKey(), k -> stateManager.zeros(w.getShape(), w.getDataType()));
            if (weightDecay != 0) {
                Scalars.muli(w, 1 - lr * weightDecay);
            }
            Scalars.muli(mt, beta1).addi(Scalars.mul(g, 1 - beta1));
            Scalars.muli(vt, beta2).addi(Scalars.muli(g.square(), 1 - beta2));
            // Results belong to their first operand's manager: move each temporary to the step manager at once.
            NDArray vHat = Scalars.div(vt, bc2);
            vHat.attach(stepManager);
            NDArray update = Scalars.mul(mt, lr / bc1);
            update.attach(stepManager);
            w.subi(update.divi(vHat.sqrt().addi(eps)));
        }
    }

    /** Zeroes every gradient: DJL accumulates gradients across collectors, so each step must start at zero. */
    public void zeroGradients() {
        for (Parameter p : params.values()) {
            StepScope.zeroGradient(p.array());
        }
    }

    /** The moments by parameter key, for checkpoints ({@code exp_avg}, {@code exp_avg_sq} as PyTorch calls them). */
    public Map<String, NDArray> firstMoments() {
        return m;
    }

    public Map<String, NDArray> secondMoments() {
        return v;
    }

    /** Restores the state saved in a checkpoint. */
    public void restore(long step, Map<String, NDArray> first, Map<String, NDArray> second) {
        this.step = step;
        first.forEach((k, a) -> m.put(k, a));
        second.forEach((k, a) -> v.put(k, a));
    }
}
