package io.moslora.train;

/**
 * Learning rate as a pure function of the optimizer step, with the formulas of transformers'
 * {@code get_{constant,cosine,linear}_schedule_with_warmup}: linear warm-up from 0, then constant, cosine
 * decay to 0, or linear decay to 0.
 */
public record LrSchedule(Kind kind, double peak, long warmupSteps, long totalSteps) {
    public enum Kind { CONSTANT, COSINE, LINEAR }

    /** Warm-up as a fraction of the total, as LLaVA/XTuner configure it (warmup_ratio 0.03). */
    public static LrSchedule withWarmupRatio(Kind kind, double peak, double warmupRatio, long totalSteps) {
        return new LrSchedule(kind, peak, (long) Math.ceil(warmupRatio * totalSteps), totalSteps);
    }

    /** The rate for 0-based {@code step}. */
    public double at(long step) {
        if (step < warmupSteps) {
            return peak * step / (double) warmupSteps;
        }
        if (kind == Kind.CONSTANT) {
            return peak;
        }
        long decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (step - warmupSteps) / (double) decaySteps);
        return kind == Kind.COSINE ? peak * 0.5 * (1 + Math.cos(Math.PI * progress)) : peak * (1 - progress);
    }
}
