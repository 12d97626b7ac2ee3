package io.moslora.sdxl.model;

import io.moslora.engine.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * diffusers' {@code Timesteps}: the sinusoidal features of a timestep (no weights). With {@code half = dim/2},
 * frequencies are {@code exp(−ln(10000)·k/(half − shift))} for k = 0..half−1; the features are
 * {@code [sin(t·f), cos(t·f)]}, or {@code [cos, sin]} with {@code flipSinToCos} (SDXL).
 */
public record Timesteps(int dim, boolean flipSinToCos, double downscaleFreqShift) {
    private static final double MAX_PERIOD = 10000;

    /** The frequencies, computed in double precision. */
    public double[] frequencies() {
        int half = dim / 2;
        double[] f = new double[half];
        for (int k = 0; k < half; k++) {
            f[k] = Math.exp(-Math.log(MAX_PERIOD) * k / (half - downscaleFreqShift));
        }
        return f;
    }

    /** t [N] (any number type) → features [N, dim] in float32, in the manager of {@code t}. */
    public NDArray embed(NDArray t) {
        NDManager m = t.getManager();
        double[] freqs = frequencies();
        float[] f32 = new float[freqs.length];
        for (int i = 0; i < f32.length; i++) {
            f32[i] = (float) freqs[i];
        }
        NDArray args = t.toType(DataType.FLOAT32, false).reshape(-1, 1).mul(OwnedArrays.create(m, f32).reshape(1, -1));
        NDArray sin = args.sin();
        NDArray cos = args.cos();
        NDArray emb = flipSinToCos ? cos.concat(sin, 1) : sin.concat(cos, 1);
        if (dim % 2 == 1) { // odd widths get one zero column, as diffusers pads them
            emb = emb.concat(m.zeros(new ai.djl.ndarray.types.Shape(emb.getShape().get(0), 1)), 1);
        }
        return emb;
    }
}
