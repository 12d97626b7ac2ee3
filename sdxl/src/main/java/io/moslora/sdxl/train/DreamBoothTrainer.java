package io.moslora.sdxl.train;

import io.moslora.engine.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.LoraExport;
import io.moslora.adapters.PeftAdapters;
import io.moslora.engine.Seeds;
import io.moslora.engine.StepScope;
import io.moslora.sdxl.conditioning.SdxlTimeIds;
import io.moslora.sdxl.model.LatentDistribution;
import io.moslora.sdxl.model.PromptEmbeddings;
import io.moslora.sdxl.model.SdxlModels;
import io.moslora.sdxl.model.UNet2DConditionModel;
import io.moslora.sdxl.scheduler.DdpmNoiseSchedule;
import io.moslora.train.LrSchedule;
import io.moslora.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * DreamBooth with a LoRA-family adapter on the UNet's attention projections, as diffusers'
 * {@code train_dreambooth_lora_sdxl.py} does it: the VAE and both text encoders frozen, so the photos' latent
 * distributions and the prompt's embeddings are computed once; each step draws a latent from its distribution,
 * scales it, noises it at a uniform random timestep and regresses the UNet's output on the DDPM target (ε for
 * SDXL). The shared {@link Trainer} brings accumulation, clipping, AdamW, checkpoints and exact resume.
 */
public final class DreamBoothTrainer {
    /** diffusers' DreamBooth defaults: AdamW weight decay 1e-4, gradient clipping at norm 1. */
    public static final double WEIGHT_DECAY = 1e-4;
    static final double MAX_GRAD_NORM = 1.0;

    public record Result(Trainer.Result training, AdapterConfig adapter, List<String> adaptedModules, Path adapterDir) {}

    private DreamBoothTrainer() {}

    public static AdapterConfig adapterConfig(DreamBoothOptions o) {
        // α = rank and gaussian A as the paper's script; no task type (a diffusion UNet, not a PEFT task)
        return new AdapterConfig(o.adapter(), o.rank(), o.rank(), 0.0, o.targets(), null, false, List.of(), false,
                o.mixerInit(), true, List.of(), null, null);
    }

    public static Result train(SdxlModels models, DreamBoothOptions o, NDManager manager) {
        Seeds.seed(o.seed());
        List<InstanceImage> images = InstanceImage.loadAll(o.instanceDir(), o.resolution(), o.centerCrop(),
                o.randomFlip(), Seeds.random("dreambooth.crop"));
        NDManager cache = manager.newSubManager();
        models.vae().setTrainable(false);
        models.text().encoder1().setTrainable(false);
        models.text().encoder2().setTrainable(false);
        List<NDArray> means = new ArrayList<>();
        List<NDArray> stds = new ArrayList<>(); // computed once: the cache must not grow step by step
        for (InstanceImage img : images) {
            LatentDistribution d = models.vae().encode(img.toNDArray(cache));
            means.add(d.mean());
            stds.add(d.std());
        }
        PromptEmbeddings prompt = models.text().encode(List.of(o.instancePrompt()), cache);
        UNet2DConditionModel unet = models.unet();
        AdapterConfig config = adapterConfig(o);
        List<String> adapted = io.moslora.adapters.AdapterInjector.inject(unet, config, manager);
        DdpmNoiseSchedule schedule = new DdpmNoiseSchedule(models.config().scheduler());
        double scaling = models.vae().config().scalingFactor();

        Trainer.LossFunction loss = (step, micro, scope) -> {
            NDManager m = scope.manager();
            int[] picks = new int[o.batch()];
            for (int b = 0; b < o.batch(); b++) {
                long sampleIndex = (step * o.gradAccum() + micro) * o.batch() + b;
                picks[b] = order(images.size(), sampleIndex, o.seed());
            }
            List<NDArray> x0s = new ArrayList<>();
            List<SdxlTimeIds> ids = new ArrayList<>();
            for (int p : picks) {
                NDArray eps = m.randomNormal(means.get(p).getShape(), DataType.FLOAT32);
                // a draw from the cached distribution; eps first, so the result lives in the step's memory
                x0s.add(eps.mul(stds.get(p)).add(means.get(p)).mul(scaling));
                ids.add(images.get(p).timeIds());
            }
            NDArray x0 = x0s.size() == 1 ? x0s.get(0) : NDArrays.concat(new NDList(x0s), 0);
            NDArray noise = m.randomNormal(x0.getShape(), DataType.FLOAT32);
            int[] t = schedule.randomTimesteps(Seeds.random("dreambooth.t." + step + "." + micro), o.batch());
            NDArray noisy = schedule.addNoise(x0, noise, t);
            float[] tf = new float[t.length];
            for (int i = 0; i < t.length; i++) tf[i] = t[i];
            NDArray context = inStep(prompt.tokens(), m).repeat(0, o.batch());
            NDArray pooled = inStep(prompt.pooled(), m).repeat(0, o.batch());
            NDArray pred = unet.forward(noisy, OwnedArrays.create(m, tf), context, pooled, SdxlTimeIds.stack(m, ids));
            NDArray target = schedule.target(x0, noise, t);
            NDArray perSample = pred.sub(target).square().reshape(o.batch(), -1).mean(new int[] {1});
            if (o.snrGamma() != null) {
                double[] w = schedule.minSnrLossWeights(t, o.snrGamma());
                float[] wf = new float[w.length];
                for (int i = 0; i < w.length; i++) wf[i] = (float) w[i];
                perSample = perSample.mul(OwnedArrays.create(m, wf));
            }
            return perSample.mean();
        };
        Trainer.Settings settings = new Trainer.Settings(o.steps(), o.gradAccum(), MAX_GRAD_NORM,
                new LrSchedule(LrSchedule.Kind.CONSTANT, o.lr(), 0, o.steps()), WEIGHT_DECAY, o.seed(),
                o.checkpointEvery(), 2, o.outDir(), o.resume(), "dreambooth", o.progress());
        Trainer.Result result = Trainer.run(unet, settings, loss, manager);
        cache.close();
        Path adapterDir = o.outDir() == null ? null : o.outDir().resolve("adapter");
        if (adapterDir != null) {
            writeAdapterFiles(unet, config, o.outDir());
        }
        return new Result(result, config, adapted, adapterDir);
    }

    /**
     * {@code adapter/} (PEFT; MoSLoRA keeps its mixer), {@code lora/} (the same as a plain LoRA, exact), and the
     * two single files other tools load: {@code pytorch_lora_weights.safetensors} (diffusers) and
     * {@code lora_kohya.safetensors} (kohya-style keys for A1111/ComfyUI).
     */
    static void writeAdapterFiles(UNet2DConditionModel unet, AdapterConfig config, Path outDir) {
        Path adapterDir = outDir.resolve("adapter");
        PeftAdapters.save(unet, config, adapterDir);
        Path plain = adapterDir;
        if (config.kind() != AdapterKind.LORA) {
            plain = outDir.resolve("lora");
            LoraExport.exportPlainLora(adapterDir, plain);
        }
        SdxlLoraFiles.writeDiffusers(plain, outDir.resolve(SdxlLoraFiles.DIFFUSERS_FILE));
        SdxlLoraFiles.writeKohya(plain, outDir.resolve(SdxlLoraFiles.KOHYA_FILE));
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

    /** A copy owned by the step, so ops that take it first put their results in the step's memory. */
    static NDArray inStep(NDArray a, NDManager step) {
        NDArray copy = a.duplicate();
        copy.attach(step);
        return copy;
    }
}
