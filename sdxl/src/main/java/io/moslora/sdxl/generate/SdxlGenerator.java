package io.moslora.sdxl.generate;

import io.moslora.engine.StepScope;
import io.moslora.engine.Scalars;
import io.moslora.engine.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.moslora.cli.UserError;
import io.moslora.engine.Seeds;
import io.moslora.sdxl.conditioning.SdxlTimeIds;
import io.moslora.sdxl.model.PromptEmbeddings;
import io.moslora.sdxl.model.SdxlModels;
import io.moslora.sdxl.scheduler.ClassifierFreeGuidance;
import io.moslora.sdxl.scheduler.Denoiser;
import io.moslora.sdxl.scheduler.SamplingLoop;
import io.moslora.sdxl.scheduler.SamplingRun;
import io.moslora.sdxl.scheduler.SamplingScheduler;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Text → image as diffusers' {@code StableDiffusionXLPipeline}: prompt embeddings from both encoders, seeded
 * Gaussian latents, the chosen sampler with classifier-free guidance over the stacked [unconditional; prompt]
 * batch, then the VAE decoder. Everything a step makes lives in the sampling loop's per-step memory.
 */
public final class SdxlGenerator {
    private final SdxlModels models;

    public SdxlGenerator(SdxlModels models) {
        this.models = models;
    }

    public BufferedImage generate(String prompt, GenerationSettings s, NDManager manager, IntConsumer afterStep) {
        int f = models.vae().config().downsampleFactor();
        if (s.width() % f != 0 || s.height() % f != 0) {
            throw new UserError("--width/--height: " + s.width() + "x" + s.height() + " must be multiples of " + f
                    + " (the VAE's downsampling factor)");
        }
        try (NDManager m = manager.newSubManager()) {
            boolean cfg = ClassifierFreeGuidance.enabled(s.guidance());
            PromptEmbeddings cond = models.text().encode(List.of(prompt), m);
            NDArray tokens = cond.tokens();
            NDArray pooled = cond.pooled();
            if (cfg) {
                PromptEmbeddings uncond = s.negativePrompt().isEmpty()
                        ? new PromptEmbeddings(tokens.zerosLike(), pooled.zerosLike())
                        : models.text().encode(List.of(s.negativePrompt()), m);
                tokens = uncond.tokens().concat(tokens, 0);
                pooled = uncond.pooled().concat(pooled, 0);
            }
            int batch = cfg ? 2 : 1;
            NDArray timeIds = SdxlTimeIds.forGeneration(s.height(), s.width()).toNDArray(m, batch);
            NDArray ctx = tokens, pool = pooled;
            Denoiser unet = (x, t) -> {
                NDManager step = x.getManager();
                NDArray in = cfg ? x.concat(x, 0) : x;
                NDArray out = models.unet().forward(in, OwnedArrays.create(step, new float[] {(float) t}).repeat(0, batch),
                        StepScope.copyInto(ctx, step), StepScope.copyInto(pool, step), StepScope.copyInto(timeIds, step));
                return cfg ? ClassifierFreeGuidance.fromStackedBatch(out, s.guidance(), 0) : out;
            };
            Seeds.seed(s.seed());
            NDArray noise = m.randomNormal(new Shape(1, models.unet().config().inChannels(), s.height() / f, s.width() / f),
                    DataType.FLOAT32);
            NDArray latents;
            try (SamplingRun run = SamplingScheduler.named(s.scheduler(), models.config().scheduler()).start(s.steps())) {
                latents = SamplingLoop.sample(run, noise, unet, afterStep);
            }
            NDArray image = models.vae().decode(models.vae().fromUNetSpace(latents));
            return toImage(image);
        }
    }


    /** [1, 3, H, W] in [−1, 1] → 8-bit RGB, rounded as diffusers' {@code (x/2 + 0.5).clamp(0, 1) · 255}. */
    static BufferedImage toImage(NDArray image) {
        Shape s = image.getShape();
        int h = (int) s.get(2), w = (int) s.get(3);
        float[] px = Scalars.div(image, 2).add(0.5).clip(0, 1).toFloatArray();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int r = Math.round(px[i] * 255), g = Math.round(px[plane + i] * 255), b = Math.round(px[2 * plane + i] * 255);
                out.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return out;
    }
}
