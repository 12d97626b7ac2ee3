package io.moslora.adapters;

import io.moslora.engine.Scalars;
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
 * frozen base sits at {@code <target>.base_layer}. DoRA adds {@code <target>.lora_magnitude_vector} (its math lives
 * in {@link DoraMagnitude}).
 */
public final class LoraLinear extends Module implements LinearLayer {
    private final AdapterConfig config;
    private boolean merged;
    /**
     * A runtime multiplier on {@code α/r}, as diffusers' {@code cross_attention_kwargs={"scale": s}} and PEFT's
     * {@code scale_layer}: 0 turns the adapter off, 1 (the default) is the trained adapter. Not saved with it.
     */
    private double scale = 1.0;
    /** DoRA only: ‖W + ΔW‖ per row at merge time, needed to unmerge (the merged rows have norm |m| instead). */
    private NDArray normsAtMerge;

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
        if (config.kind() == AdapterKind.DORA) {
            // registered after A and B: materializing in order gives m the norms of W + ΔW at the start
            addChild("lora_magnitude_vector", new DoraMagnitude(lin.outFeatures(), (m, s, d) -> initialMagnitude(m, d)));
        }
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

    /** DoRA's magnitude vector, or null for the other kinds. */
    public DoraMagnitude magnitude() {
        return config.kind() == AdapterKind.DORA ? (DoraMagnitude) child("lora_magnitude_vector") : null;
    }

    public boolean isMerged() {
        return merged;
    }

    public double scale() {
        return scale;
    }

    /** Sets the runtime scale; refused while merged (ΔW was folded in at the old scale and unmerge needs it). */
    public void setScale(double scale) {
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("adapter scale must be finite, got " + scale);
        }
        if (merged) {
            throw new IllegalStateException("unmerge the adapter before changing its scale");
        }
        this.scale = scale;
    }

    /** Sets the runtime scale of every adapter under {@code root}; returns how many there were. */
    public static int setScaleEverywhere(Module root, double scale) {
        int n = 0;
        for (Module m : root.namedModules().values()) {
            if (m instanceof LoraLinear lora) {
                lora.setScale(scale);
                n++;
            }
        }
        return n;
    }

    /**
     * Merges every adapter under {@code root} into its base weight (at its current scale); returns how many there
     * were. Inference then costs what the base costs.
     */
    public static int mergeEverywhere(Module root) {
        int n = 0;
        for (Module m : root.namedModules().values()) {
            if (m instanceof LoraLinear lora) {
                lora.merge();
                n++;
            }
        }
        return n;
    }

    /** α/r times the runtime scale: what multiplies B·M·A everywhere (forward, ΔW, merge). */
    private double effectiveScaling() {
        return config.scaling() * scale;
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
        if (merged || (scale == 0 && magnitude() == null)) {
            return y; // scale 0: exactly the base layer, not base + 0 (bit-exact base images)
        }
        NDArray h = config.dropout() > 0 && isTraining()
                ? ai.djl.nn.norm.Dropout.dropout(x, (float) config.dropout(), true).singletonOrThrow()
                : x;
        // The scaling multiplies the rank-r activation, not the [tokens, out] result: the same product
        // (B·M·(A·x)·s), r/out times fewer multiplies forward and backward.
        NDArray z = Scalars.mul(loraA().forward(h), effectiveScaling());
        if (mixer() != null) {
            z = mixer().forward(z);
        }
        NDArray lora = loraB().forward(z);
        return y.add(magnitude() == null ? lora : doraOutput(h, lora));
    }

    /** DoRA's part of the output for input {@code h}, every temporary in {@code h}'s (the step's) manager. */
    private NDArray doraOutput(NDArray h, NDArray lora) {
        NDArray w = baseWeight(h.getManager());
        if (w.getDataType() != h.getDataType()) {
            w = adopt(w.toType(h.getDataType(), false), h.getManager());
        }
        NDArray norms = DoraMagnitude.rowNorms(w, loraDelta(h.getManager()).toType(w.getDataType(), false));
        return magnitude().extraOutput(h, w, norms, lora);
    }

    /**
     * How much the layer's effective weight differs from the base weight, {@code [out, in]}: {@code B·M·A·scaling}
     * for the LoRA kinds; for DoRA {@code m ⊙ (W + ΔW)/‖W + ΔW‖ − W}, the merged weight minus W.
     */
    public NDArray deltaWeight() {
        if (magnitude() != null) {
            NDArray w = base().denseWeight();
            NDArray delta = loraDelta(w.getManager()).toType(w.getDataType(), false);
            if (merged) { // w is the merged weight here: W = W'/(m/n) − ΔW
                NDArray original = w.div(rowScaleAtMerge().expandDims(1)).sub(delta);
                return w.sub(original);
            }
            return DoraMagnitude.fold(w, delta, magnitude().weight().array().stopGradient()).sub(w);
        }
        NDArray a = effectiveA();
        NDArray ba = loraB().weight().array().matMul(a);
        NDArray delta = Scalars.mul(ba, effectiveScaling());
        ba.close(); // the temporaries live in the model's manager: without closing, each merge would keep a [out, in] copy
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
        NDArray w = denseBase().weight().array();
        if (magnitude() == null) {
            try (NDArray delta = deltaWeight()) {
                w.addi(delta);
            }
        } else {
            // W' = (m/n) ⊙ (W + ΔW), n = ‖W + ΔW‖ per row, kept to undo it (as PEFT caches it)
            NDArray delta = loraDelta(w.getManager()).toType(w.getDataType(), false);
            normsAtMerge = DoraMagnitude.rowNorms(w, delta);
            w.addi(delta).muli(rowScaleAtMerge().expandDims(1));
        }
        merged = true;
    }

    /** Takes ΔW out again (exact up to float rounding). */
    public void unmerge() {
        if (!merged) {
            return;
        }
        NDArray w = denseBase().weight().array();
        if (magnitude() == null) {
            try (NDArray delta = deltaWeight()) {
                w.subi(delta);
            }
        } else {
            w.divi(rowScaleAtMerge().expandDims(1)).subi(loraDelta(w.getManager()).toType(w.getDataType(), false));
            normsAtMerge.close();
            normsAtMerge = null;
        }
        merged = false;
    }

    private NDArray rowScaleAtMerge() {
        return magnitude().weight().array().stopGradient().toType(normsAtMerge.getDataType(), false).div(normsAtMerge);
    }

    /**
     * {@code B·M·A·scaling} outside the autograd graph (DoRA's norm is a constant), every temporary owned by
     * {@code owner}: the forward pass calls it each step, so nothing may land in the model's manager.
     */
    private NDArray loraDelta(NDManager owner) {
        NDArray delta = adopt(loraB().weight().array().stopGradient(), owner);
        if (mixer() != null) {
            delta = delta.matMul(adopt(mixer().weight().array().stopGradient(), owner));
        }
        return Scalars.mul(delta.matMul(adopt(loraA().weight().array().stopGradient(), owner)), effectiveScaling());
    }

    private static NDArray adopt(NDArray array, NDManager owner) {
        array.attach(owner);
        return array;
    }

    /** The base's dense weight; a dequantized copy (4-bit base) is adopted by {@code owner}, a Linear's own is not. */
    private NDArray baseWeight(NDManager owner) {
        NDArray w = base().denseWeight();
        return child("base_layer") instanceof Linear ? w : adopt(w, owner);
    }

    /** m at the start: the row norms of W + ΔW (of W itself, as B starts at zero), in the adapter's dtype. */
    private NDArray initialMagnitude(NDManager manager, DataType dtype) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray w = baseWeight(scope);
            NDArray norms = DoraMagnitude.rowNorms(w, loraDelta(scope).toType(w.getDataType(), false));
            NDArray m = norms.toType(dtype, true);
            m.attach(manager);
            return m;
        }
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
        for (String name : new String[] {"lora_A", "lora_AB", "lora_B", "lora_magnitude_vector"}) {
            if (children().containsKey(name)) {
                child(name).materialize(manager, dtype);
            }
        }
    }
}
