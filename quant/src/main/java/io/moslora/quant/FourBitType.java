package io.moslora.quant;

/**
 * The two 4-bit data types of bitsandbytes. Each is a 16-entry code table (what a 4-bit index means, as a
 * fraction of the block's absmax) and the rounding rule bitsandbytes' CUDA kernel uses to pick the index.
 *
 * <p>Rounding compares with the midpoints of neighbouring codes using strict {@code x > t}: a value exactly on
 * a midpoint therefore goes to the <em>lower</em> code, and NaN (every comparison false) goes to index 0. The
 * thresholds are the CUDA kernel's float literals, so codes match files made on a GPU.
 */
public enum FourBitType {
    /** NormalFloat4: quantiles of N(0,1), sorted ascending; index 7 is exactly 0. */
    NF4("nf4", 1, new float[] {
        -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
        -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
        0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
        0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f}),
    /**
     * FP4 (1 sign, 2 exponent, 1 mantissa bit) normalised by its largest magnitude 12; listed in bit-pattern
     * order, bit 3 is the sign. bitsandbytes builds it as {@code [0, .0625, 8, 12, 4, 6, 2, 3, -0, ...] / 12}.
     */
    FP4("fp4", 0, new float[] {
        0f, 0.0625f / 12f, 8f / 12f, 12f / 12f, 4f / 12f, 6f / 12f, 2f / 12f, 3f / 12f,
        -0f, -0.0625f / 12f, -8f / 12f, -12f / 12f, -4f / 12f, -6f / 12f, -2f / 12f, -3f / 12f});

    private final String bnbName;
    private final int onnxQuantType;
    private final float[] table;

    FourBitType(String bnbName, int onnxQuantType, float[] table) {
        this.bnbName = bnbName;
        this.onnxQuantType = onnxQuantType;
        this.table = table;
    }

    /** The name bitsandbytes writes ({@code "nf4"} / {@code "fp4"}), also the suffix of the quant_state key. */
    public String bnbName() {
        return bnbName;
    }

    /** The {@code quant_type} attribute of onnxruntime's MatMulBnb4 (0 = FP4, 1 = NF4). */
    public int onnxQuantType() {
        return onnxQuantType;
    }

    /** A copy of the 16 code values. */
    public float[] table() {
        return table.clone();
    }

    public float code(int index) {
        return table[index];
    }

    /** The native kernels' numbering of this type (the enum ordinal). */
    int kernelId() {
        return ordinal();
    }

    public static FourBitType fromBnbName(String name) {
        for (FourBitType t : values()) {
            if (t.bnbName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown 4-bit quant_type '" + name + "' (expected nf4 or fp4)");
    }

    /** The 4-bit index of {@code x}, a value already scaled into [-1, 1] by the block's absmax. */
    public int quantize(float x) {
        return this == NF4 ? quantizeNf4(x) : quantizeFp4(x);
    }

    /**
     * The CUDA kernel's NF4 comparison thresholds, ascending (csrc {@code dQuantizeNF4}). Its tree of strict
     * {@code >} tests returns the number of thresholds below x, which is what we count, without branches.
     */
    private static final float[] NF4_THRESHOLDS = {
        -0.8480964004993439f, -0.6106329262256622f, -0.4599952697753906f, -0.33967943489551544f,
        -0.23460740596055984f, -0.13791173323988914f, -0.045525018125772476f, 0.03979014977812767f,
        0.1202552504837513f, 0.2035212516784668f, 0.2920137718319893f, 0.3893125355243683f,
        0.5016634166240692f, 0.6427869200706482f, 0.8614784181118011f};

    /** FP4 magnitude thresholds (csrc {@code dQuantizeFP4}) and the bit pattern of each magnitude rank. */
    private static final float[] FP4_THRESHOLDS = {
        0.00260417f, 0.0859375f, 0.20833333f, 0.29166667f, 0.4166667f, 0.583333f, 0.8333333f};
    private static final int[] FP4_BY_RANK = {0, 1, 6, 7, 4, 5, 2, 3};

    static int quantizeNf4(float x) {
        int q = 0;
        for (float t : NF4_THRESHOLDS) {
            q += x > t ? 1 : 0;
        }
        return q;
    }

    static int quantizeFp4(float x) {
        int sign = x < 0 ? 8 : 0;
        float a = Math.abs(x);
        int rank = 0;
        for (float t : FP4_THRESHOLDS) {
            rank += a > t ? 1 : 0;
        }
        return FP4_BY_RANK[rank] + sign;
    }
}
