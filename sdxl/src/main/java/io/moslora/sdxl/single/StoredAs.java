package io.moslora.sdxl.single;

/**
 * How a single-file checkpoint stores one of our parameters, when not as the same tensor: the VAE's attention
 * projections are 1×1 convolutions there ({@code [C,C,1,1]}, our Linear holds {@code [C,C]}); OpenCLIP packs q, k and
 * v into one {@code in_proj} tensor (rows q, then k, then v); and its {@code text_projection} is the transpose of
 * HF's {@code text_projection.weight}.
 */
public enum StoredAs {
    SAME, CONV_1X1, IN_PROJ_Q, IN_PROJ_K, IN_PROJ_V, TRANSPOSED;

    /** For the three in_proj parts: which third of the packed rows (q 0, k 1, v 2); -1 otherwise. */
    public int inProjPart() {
        return switch (this) {
            case IN_PROJ_Q -> 0;
            case IN_PROJ_K -> 1;
            case IN_PROJ_V -> 2;
            default -> -1;
        };
    }

    /** The shape the file stores for a parameter of shape {@code p} (for in_proj: the packed q, k, v tensor). */
    public long[] storedShape(long[] p) {
        return switch (this) {
            case SAME -> p.clone();
            case CONV_1X1 -> new long[] {p[0], p[1], 1, 1};
            case TRANSPOSED -> new long[] {p[1], p[0]};
            case IN_PROJ_Q, IN_PROJ_K, IN_PROJ_V -> {
                long[] packed = p.clone();
                packed[0] *= 3;
                yield packed;
            }
        };
    }
}
