package io.moslora.sdxl.generate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How one image is made. Defaults as the paper's inference: 50 steps of SDXL's Euler sampler, guidance 5.
 *
 * @param negativePrompt empty means SDXL's {@code force_zeros_for_empty_prompt}: zero unconditional embeddings
 */
public record GenerationSettings(int steps, double guidance, String scheduler, int width, int height, long seed,
        String negativePrompt) {

    public static GenerationSettings defaults(int size, long seed) {
        return new GenerationSettings(50, 5.0, "euler", size, size, seed, "");
    }

    public GenerationSettings withSeed(long s) {
        return new GenerationSettings(steps, guidance, scheduler, width, height, s, negativePrompt);
    }

    /** What goes into the PNG's text chunks next to the prompt, so an image says how to make it again. */
    public Map<String, String> asText() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("seed", Long.toString(seed));
        m.put("steps", Integer.toString(steps));
        m.put("guidance", Double.toString(guidance));
        m.put("scheduler", scheduler);
        m.put("size", width + "x" + height);
        m.put("negative_prompt", negativePrompt);
        return m;
    }
}
