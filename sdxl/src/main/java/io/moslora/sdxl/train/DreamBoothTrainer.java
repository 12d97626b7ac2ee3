package io.moslora.sdxl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.moslora.adapters.AdapterConfig;
import io.moslora.engine.Scalars;
import io.moslora.engine.Seeds;
import io.moslora.nn.Module;
import io.moslora.sdxl.lora.SdxlComponent;
import io.moslora.sdxl.model.SdxlModels;
import io.moslora.sdxl.model.UNet2DConditionModel;
import io.moslora.sdxl.scheduler.DdpmNoiseSchedule;
import io.moslora.train.LrSchedule;
import io.moslora.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * DreamBooth with a LoRA-family adapter on the UNet's attention projections, as diffusers'
 * {@code train_dreambooth_lora_sdxl.py} does it: the VAE and both text encoders frozen, so the photos' latent
 * distributions and the prompt's embeddings are computed once; each step draws a latent from its distribution,
 * scales it, noises it at a uniform random timestep and regresses the UNet's output on the DDPM target (ε for
 * SDXL). The shared {@link Trainer} brings accumulation, clipping, AdamW, checkpoints and exact resume. With
 * {@link TextEncoderTraining} the text encoders get adapters too and the prompts are re-encoded every step.
 *
 * <p>With {@link PriorPreservation} every micro-batch pairs the photos with as many class images (their latents and
 * the class prompt's embeddings cached the same way) and the loss is instance MSE + weight × class MSE. With
 * {@link ValidationSettings} images of the validation prompt are written between steps without touching what
 * training computes.
 */
public final class DreamBoothTrainer {
    /** diffusers' DreamBooth defaults: AdamW weight decay 1e-4, gradient clipping at norm 1. */
    public static final double WEIGHT_DECAY = 1e-4;
    static final double MAX_GRAD_NORM = 1.0;

    /** @param classImagesGenerated how many class images the base model made for prior preservation */
    public record Result(Trainer.Result training, AdapterConfig adapter, List<String> adaptedModules, Path adapterDir,
            int classImagesGenerated) {}

    private DreamBoothTrainer() {}

    public static AdapterConfig adapterConfig(DreamBoothOptions o) {
        // α = rank and gaussian A as the paper's script; no task type (a diffusion UNet, not a PEFT task)
        return new AdapterConfig(o.adapter(), o.rank(), o.rank(), 0.0, o.targets(), null, false, List.of(), false,
                o.mixerInit(), true, List.of(), null, null);
    }

    public static Result train(SdxlModels models, DreamBoothOptions o, NDManager manager) {
        return train(models, o, TextEncoderTraining.OFF, manager);
    }

    public static Result train(SdxlModels models, DreamBoothOptions o, TextEncoderTraining te, NDManager manager) {
        Seeds.seed(o.seed());
        List<InstanceImage> images = InstanceImage.loadAll(o.instanceDir(), o.resolution(), o.centerCrop(),
                o.randomFlip(), Seeds.random("dreambooth.crop"));
        ClassImages.Loaded classImages = null;
        if (o.prior() != null) { // before the adapter exists: class images come from the base model
            classImages = ClassImages.prepare(o.prior(), o.resolution(), o.centerCrop(), o.randomFlip(), o.seed(), models,
                    manager, o.progress());
            Seeds.seed(o.seed()); // the adapter's random init must not depend on whether images were just made
        }
        NDManager cache = manager.newSubManager();
        models.vae().setTrainable(false);
        models.text().encoder1().setTrainable(false);
        models.text().encoder2().setTrainable(false);
        EncodedImages instances = EncodedImages.of(models, images, o.instancePrompt(), te.enabled(), cache);
        EncodedImages classes = classImages == null ? null
                : EncodedImages.of(models, classImages.images(), o.prior().classPrompt(), te.enabled(), cache);
        UNet2DConditionModel unet = models.unet();
        AdapterConfig config = adapterConfig(o);
        List<String> adapted = io.moslora.adapters.AdapterInjector.inject(unet, config, manager);
        Map<SdxlComponent, AdapterConfig> adapters = te.inject(models, config, manager);
        DdpmNoiseSchedule schedule = new DdpmNoiseSchedule(models.config().scheduler());
        double scaling = models.vae().config().scalingFactor();

        Trainer.LossFunction loss = (step, micro, scope) -> {
            NDManager m = scope.manager();
            long firstSample = (step * o.gradAccum() + micro) * o.batch();
            // the photos' half draws exactly as without prior preservation (the same random numbers)
            NoisedBatch inst = NoisedBatch.draw(instances, picks(images.size(), firstSample, o.batch(), o.seed()),
                    NoisedBatch.Gaussians.TORCH, Seeds.random("dreambooth.t." + step + "." + micro), schedule, scaling, m);
            if (classes == null) {
                return inst.loss(inst.predict(unet, m), schedule, o.snrGamma(), m);
            }
            // the class half from streams of its own: drawing from torch's generator here would shift the
            // photos' draws in the next micro-batch of the step
            NoisedBatch cls = NoisedBatch.draw(classes,
                    picks(classes.size(), firstSample, o.batch(), CLASS_ORDER_SALT ^ o.seed()),
                    NoisedBatch.Gaussians.of(Seeds.random("dreambooth.prior-noise." + step + "." + micro)),
                    Seeds.random("dreambooth.prior-t." + step + "." + micro), schedule, scaling, m);
            // diffusers runs one UNet pass over [instance; class] and splits the prediction; we run two passes
            // (the same arithmetic, the same gradient sum) because a batched pass's per-sample results change at
            // float rounding with what else is in the batch, and weight 0 must be exactly the photos-only run.
            // The prior part is a plain mean squared error (Min-SNR weights, if any, apply to the photos only).
            NDArray instLoss = inst.loss(inst.predict(unet, m), schedule, o.snrGamma(), m);
            NDArray classLoss = cls.loss(cls.predict(unet, m), schedule, null, m);
            return instLoss.add(Scalars.mul(classLoss, o.prior().lossWeight()));
        };
        Trainer.StepListener validation = o.validation() == null || o.outDir() == null ? null : stepsDone -> {
            if (o.validation().dueAfter(stepsDone, o.steps())) {
                ValidationImages.write(o.validation(), stepsDone, o.resolution(), o.seed(), models, o.outDir(), manager);
            }
        };
        Trainer.Settings settings = new Trainer.Settings(o.steps(), o.gradAccum(), MAX_GRAD_NORM,
                new LrSchedule(LrSchedule.Kind.CONSTANT, o.lr(), 0, o.steps()), WEIGHT_DECAY, o.seed(),
                o.checkpointEvery(), 2, o.outDir(), o.resume(), "dreambooth", o.progress());
        Module trained = te.trainedModule(models);
        Trainer.Result result = Trainer.run(trained, settings, loss, manager, te.groups(trained, o.lr()), validation);
        cache.close();
        Path adapterDir = o.outDir() == null ? null : o.outDir().resolve("adapter");
        if (adapterDir != null) {
            SdxlLoraFiles.writeAll(models, adapters, o.outDir());
        }
        return new Result(result, config, adapted, adapterDir, classImages == null ? 0 : classImages.generated());
    }

    /** The class images are shuffled by their own seeded order, independent of the photos'. */
    private static final long CLASS_ORDER_SALT = 0x5EEDC1A55L;

    /** Which images the {@code count} samples from {@code firstSample} on are. */
    private static int[] picks(int images, long firstSample, int count, long seed) {
        int[] picks = new int[count];
        for (int b = 0; b < count; b++) {
            picks[b] = order(images, firstSample + b, seed);
        }
        return picks;
    }

    /** Which image the n-th sample is: a fresh seeded shuffle each pass over the photos (an epoch). */
    static int order(int count, long sampleIndex, long seed) {
        long epoch = sampleIndex / count;
        int[] perm = new int[count];
        for (int i = 0; i < count; i++) perm[i] = i;
        // from the run's seed alone: the trainer reseeds every step, and each step must see the same shuffle
        java.util.Random r = new java.util.Random(seed * 0x9E3779B97F4A7C15L + epoch);
        for (int i = count - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        return perm[(int) (sampleIndex % count)];
    }
}
