package io.moslora.sdxl.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.LoraLinear;
import io.moslora.bench.InterleavedRounds;
import io.moslora.bench.InterleavedRounds.Timing;
import io.moslora.config.UNet2DConditionConfig;
import io.moslora.engine.OwnedArrays;
import io.moslora.engine.Seeds;
import io.moslora.engine.StepScope;
import io.moslora.sdxl.conditioning.SdxlTimeIds;
import io.moslora.sdxl.model.UNet2DConditionModel;
import io.moslora.sdxl.scheduler.ClassifierFreeGuidance;
import io.moslora.sdxl.scheduler.DdpmNoiseSchedule;
import io.moslora.sdxl.train.DreamBoothOptions;
import io.moslora.sdxl.train.DreamBoothTrainer;
import io.moslora.train.AdamW;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Side-by-side timings of an SDXL-family UNet: one DreamBooth training step with LoRA and with MoSLoRA (the
 * paper's adapter: rank 4, α = 4, on to_q, to_k, to_v, to_out.0), and one denoising step (the guidance batch of 2)
 * of the plain base, with a MoSLoRA adapter unmerged, and with it merged. Cases run interleaved, round by round in
 * a freshly shuffled order, so machine noise hits them alike; medians are reported. Weights are random: the time
 * of these computations does not depend on the values.
 */
public final class UNetStepBenchmark {
    public static final String TRAIN_LORA = "train step, LoRA";
    public static final String TRAIN_MOSLORA = "train step, MoSLoRA";
    public static final String DENOISE_BASE = "denoise step, base";
    public static final String DENOISE_UNMERGED = "denoise step, MoSLoRA unmerged";
    public static final String DENOISE_MERGED = "denoise step, MoSLoRA merged";
    /** CLIP's context length: the text tokens every cross-attention attends to. */
    public static final int TEXT_TOKENS = 77;
    static final double GUIDANCE = 5.0;
    static final int DENOISE_TIMESTEP = 500;

    public record Settings(BenchUNet unet, int rounds, int warmup, long seed) {}

    private final Settings s;
    private final UNet2DConditionConfig config;
    private final DdpmNoiseSchedule schedule = DdpmNoiseSchedule.sdxl();

    public UNetStepBenchmark(Settings s) {
        this.s = s;
        this.config = s.unet().config();
    }

    public UNet2DConditionConfig config() {
        return config;
    }

    /** The latents' side: the config's sample_size (both bench configs give one). */
    public int latentSize() {
        return config.sampleSize();
    }

    /** The DreamBooth trainer's own adapter settings (the paper's run) for {@code kind}. */
    public static AdapterConfig adapter(AdapterKind kind) {
        return DreamBoothTrainer.adapterConfig(DreamBoothOptions.paper(null, "", kind, null));
    }

    /** Parameters of the base UNet and of the adapter {@code kind} on it, counted from the shapes alone. */
    public long[] parameterCounts(AdapterKind kind) {
        UNet2DConditionModel unet = new UNet2DConditionModel(config);
        long base = unet.parameterCount();
        AdapterInjector.inject(unet, adapter(kind), null);
        return new long[] {base, unet.trainableParameterCount()};
    }

    /** How many timed and untimed case runs {@link #run} makes, for a progress bar. */
    public long caseRuns() {
        return 5L * (s.warmup() + s.rounds());
    }

    /**
     * Median wall and thread-CPU times per case ({@link InterleavedRounds}), in the order of the constants above;
     * {@code afterEach} runs after every case run, untimed.
     */
    public Map<String, Timing> run(NDManager m, Runnable afterEach) {
        // DJL turns autograd recording off only on the thread that started the engine; denoising must not record
        JniUtils.setGradMode(false);
        Inputs in = new Inputs(m);
        Map<String, Runnable> cases = new LinkedHashMap<>();
        cases.put(TRAIN_LORA, trainStep(model(m, AdapterKind.LORA), in, m));
        cases.put(TRAIN_MOSLORA, trainStep(model(m, AdapterKind.MOSLORA), in, m));
        cases.put(DENOISE_BASE, denoiseStep(model(m, null), in, m));
        cases.put(DENOISE_UNMERGED, denoiseStep(model(m, AdapterKind.MOSLORA), in, m));
        UNet2DConditionModel merged = model(m, AdapterKind.MOSLORA);
        LoraLinear.mergeEverywhere(merged);
        cases.put(DENOISE_MERGED, denoiseStep(merged, in, m));

        return InterleavedRounds.medians(InterleavedRounds.time(cases, s.warmup(), s.rounds(), 1, 42, afterEach));
    }

    /** The arguments that make the PyTorch peer build and feed the same UNet. */
    public List<String> peerArguments(java.nio.file.Path configJson, int threads) {
        return List.of("--config", configJson.toString(), "--rank", "" + adapter(AdapterKind.LORA).r(),
                "--size", "" + latentSize(), "--seq", "" + TEXT_TOKENS, "--rounds", "" + s.rounds(),
                "--warmup", "" + s.warmup(), "--threads", "" + threads);
    }

    private UNet2DConditionModel model(NDManager m, AdapterKind kind) {
        Seeds.seed(s.seed());
        UNet2DConditionModel unet = new UNet2DConditionModel(config);
        unet.materialize(m, DataType.FLOAT32);
        if (kind != null) {
            AdapterInjector.inject(unet, adapter(kind), m);
        }
        return unet;
    }

    /** Noise at a random timestep, ε-prediction, mean squared error, backward, AdamW — one DreamBooth step. */
    private Runnable trainStep(UNet2DConditionModel unet, Inputs in, NDManager root) {
        AdamW opt = new AdamW(unet.trainableParameters(), root, 0.9, 0.999, 1e-8, DreamBoothTrainer.WEIGHT_DECAY);
        double lr = DreamBoothOptions.paper(null, "", AdapterKind.LORA, null).lr();
        Random timesteps = new Random(s.seed());
        return () -> {
            try (StepScope scope = new StepScope(root)) {
                NDManager m = scope.manager();
                opt.zeroGradients();
                int[] t = {timesteps.nextInt(schedule.numTrainTimesteps())};
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray noise = m.randomNormal(in.x0.getShape(), DataType.FLOAT32);
                    NDArray noisy = schedule.addNoise(StepScope.copyInto(in.x0, m), noise, t);
                    NDArray pred = unet.forward(noisy, OwnedArrays.create(m, new float[] {t[0]}), StepScope.copyInto(in.context1, m),
                            StepScope.copyInto(in.pooled1, m), StepScope.copyInto(in.timeIds1, m));
                    gc.backward(pred.sub(noise).square().mean());
                }
                opt.step(lr, m);
            }
        };
    }

    /** The UNet on [uncond; text] and the guidance combination: what one sampling step costs beyond the scheduler. */
    private Runnable denoiseStep(UNet2DConditionModel unet, Inputs in, NDManager root) {
        return () -> {
            try (StepScope scope = new StepScope(root)) {
                NDManager m = scope.manager();
                NDArray out = unet.forward(StepScope.copyInto(in.latents2, m), OwnedArrays.create(m, new float[] {DENOISE_TIMESTEP, DENOISE_TIMESTEP}),
                        StepScope.copyInto(in.context2, m), StepScope.copyInto(in.pooled2, m), StepScope.copyInto(in.timeIds2, m));
                ClassifierFreeGuidance.fromStackedBatch(out, GUIDANCE, 0).sum().getFloat(); // waits for the result
            }
        };
    }


    /** Random latents and text conditioning of the shapes SDXL feeds: batch 1 for training, 2 for guidance. */
    private final class Inputs {
        final NDArray x0, context1, pooled1, timeIds1, latents2, context2, pooled2, timeIds2;

        Inputs(NDManager m) {
            Seeds.seed(s.seed());
            int size = latentSize();
            long contextDim = config.crossAttentionDim().get(0);
            long pooledDim = config.projectionClassEmbeddingsInputDim() - 6L * config.additionTimeEmbedDim();
            SdxlTimeIds ids = SdxlTimeIds.forGeneration(size * 8, size * 8); // the VAE's 8× from latents to pixels
            x0 = m.randomNormal(new Shape(1, config.inChannels(), size, size));
            context1 = m.randomNormal(new Shape(1, TEXT_TOKENS, contextDim));
            pooled1 = m.randomNormal(new Shape(1, pooledDim));
            timeIds1 = ids.toNDArray(m, 1);
            latents2 = m.randomNormal(new Shape(2, config.inChannels(), size, size));
            context2 = m.randomNormal(new Shape(2, TEXT_TOKENS, contextDim));
            pooled2 = m.randomNormal(new Shape(2, pooledDim));
            timeIds2 = ids.toNDArray(m, 2);
        }
    }
}
