package io.moslora.adapters;

/** Which low-rank update a target layer gets. */
public enum AdapterKind {
    /** {@code ΔW = B·A·s}: plain LoRA, no mixer. */
    LORA("lora"),
    /** {@code ΔW = B·M·A·s} with a learnable r×r mixer M (MoSLoRA). */
    MOSLORA("moslora"),
    /** The paper's two-subspace mixing: M fixed to the butterfly {@code [[I,I],[I,I]]}; r must be even. */
    TS_MIXING("ts-mixing"),
    /**
     * DoRA (weight-decomposed LoRA, the paper's strongest baseline): {@code m ⊙ (W + B·A·s)/‖W + B·A·s‖} with a
     * learnable magnitude m per output row; no mixer. PEFT's {@code use_dora: true}.
     */
    DORA("dora");

    private final String id;

    AdapterKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public boolean hasMixer() {
        return this == MOSLORA || this == TS_MIXING;
    }

    public static AdapterKind parse(String s) {
        for (AdapterKind k : values()) {
            if (k.id.equalsIgnoreCase(s) || k.name().equalsIgnoreCase(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown adapter kind '" + s + "' (expected lora, moslora, ts-mixing or dora)");
    }

    @Override
    public String toString() {
        return id;
    }
}
