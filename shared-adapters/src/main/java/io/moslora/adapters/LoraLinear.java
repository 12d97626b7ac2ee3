package io.moslora.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.nn.Init;
import io.moslora.nn.Linear;
import io.moslora.nn.LinearLayer;
import io.moslora.nn.Module;

/**
 * The adapter wrapper: {@code base(x) + lora_B(lora_AB(lora_A(dropout(x)))) · scaling}, around any frozen
 * {@link LinearLayer} (dense or 4-bit). Child names follow PEFT and the official MoSLoRA code, so parameter paths
 * are {@code <target>.lora_A.weight}, {@code .lora_AB.weight} (the mixer) and {@code .lora_B.weight}, and the
 * frozen base sits at {@code <target>.base_layer}.
 */
public final class LoraLinear extends Module implements LinearLayer {
    private final AdapterConfig config;
    private boolean merged;

    public LoraLinear(Module base, AdapterConfig config) {
        if (!(base instanceof LinearLayer lin)) {
            throw new IllegalArgumentException("adapters wrap linear layers, not " + base.getClass().getSimpleName());
        }
        this.config = config;
        int r = config.r();
        addChild("base_layer", base);
        Init aInit = config.gaussianA() ? Init.normal(1.0 / r) : Init.kaimingUniform(lin.inFeatures());
        addChild("lora_A", new Linear(lin.inFeatures(), r, false, aInit));
        if (config.kind().hasMixer()) {
            addChild("lora_AB", new Linear(r, r, false, (m, s, d) -> config.mixerInit().create(m, r, d)));
        }
        addChild("lora_B", new Linear(r, lin.outFeatures(), false, Init.zeros()));
        base.setTrainable(false);
        if (config.kind() == AdapterKind.TS_MIXING) {
            child("lora_AB").setTrainable(false); // the butterfly is fixed by definition
        }
    }

    public AdapterConfig config() {
        return config;
    }

    public LinearLayer base() {
        return (LinearLayer) child("base_layer");
    }

    public Linear loraA() {
        return (Linear) child("lora_A");
    }

    public Linear loraB() {
        return (Linear) child("lora_B");
    }

    /** The mixer, or null for plain LoRA. */
    public Linear mixer() {
        return config.kind().hasMixer() ? (Linear) child("lora_AB") : null;
    }

    public boolean isMerged() {
        return merged;
    }

    @Override
    public long inFeatures() {
        return base().inFeatures();
    }

    @Override
    public long outFeatures() {
        return base().outFeatures();
    }

    @Override
    public NDArray denseWeight() {
        NDArray w = base().denseWeight();
        return merged ? w : w.add(deltaWeight());
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray y = base().forward(x);
        if (merged) {
            return y;
        }
        NDArray h = config.dropout() > 0 && isTraining()
                ? ai.djl.nn.norm.Dropout.dropout(x, (float) config.dropout(), true).singletonOrThrow()
                : x;
        h = loraA().forward(h);
        if (mixer() != null) {
            h = mixer().forward(h);
        }
        h = loraB().forward(h);
        return y.add(h.mul(config.scaling()));
    }

    /** {@code ΔW = B·M·A·scaling} as {@code [out, in]}. */
    public NDArray deltaWeight() {
        NDArray a = effectiveA();
        NDArray delta = loraB().weight().array().matMul(a).mul(config.scaling());
        if (a != loraA().weight().array()) {
            a.close();
        }
        return delta;
    }

    /** {@code M·A} (or A for plain LoRA): the A of the equivalent plain LoRA, since B·M·A = B·(M·A). */
    public NDArray effectiveA() {
        NDArray a = loraA().weight().array();
        return mixer() == null ? a : mixer().weight().array().matMul(a);
    }

    /** Folds ΔW into a dense base weight in place; forward then costs exactly the base's. */
    public void merge() {
        if (merged) {
            return;
        }
        denseBase().weight().array().addi(deltaWeight());
        merged = true;
    }

    /** Takes ΔW out again (exact up to float rounding). */
    public void unmerge() {
        if (!merged) {
            return;
        }
        denseBase().weight().array().subi(deltaWeight());
        merged = false;
    }

    private Linear denseBase() {
        if (!(child("base_layer") instanceof Linear dense)) {
            // a quantized base cannot absorb ΔW in place without rounding it away; its module offers the choices
            throw new UnsupportedOperationException("cannot merge in place into a "
                    + child("base_layer").getClass().getSimpleName() + " base: use io.moslora.quant.QuantMerge"
                    + " (intoOriginal: into the original 16-bit checkpoint; requantized: re-quantize and report the error)");
        }
        return dense;
    }

    /** Gives the adapter parameters values on the base's device, in {@code dtype}. */
    void materializeAdapter(NDManager manager, DataType dtype) {
        for (String name : new String[] {"lora_A", "lora_AB", "lora_B"}) {
            if (children().containsKey(name)) {
                child(name).materialize(manager, dtype);
            }
        }
    }
}
