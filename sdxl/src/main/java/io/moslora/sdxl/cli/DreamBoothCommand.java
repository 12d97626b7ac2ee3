package io.moslora.sdxl.cli;

import ai.djl.ndarray.NDManager;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.MixerInit;
import io.moslora.cli.UserError;
import io.moslora.sdxl.model.SdxlModels;
import io.moslora.sdxl.model.UNetQuantization;
import io.moslora.sdxl.train.DreamBoothOptions;
import io.moslora.sdxl.train.DreamBoothTrainer;
import io.moslora.sdxl.train.TextEncoderTraining;
import io.moslora.sdxl.train.PriorPreservation;
import io.moslora.sdxl.train.ValidationSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code moslora sdxl dreambooth}: defaults are the MoSLoRA paper's SDXL DreamBooth run. */
@Command(name = "dreambooth", mixinStandardHelpOptions = true,
        description = "Fine-tune SDXL's UNet attention (to_q, to_k, to_v, to_out.0) on a few photos of a subject "
                + "with a LoRA or MoSLoRA adapter (VAE and text encoders frozen, latents cached).")
public final class DreamBoothCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, description = "A diffusers SDXL folder, a single-file SDXL checkpoint (FILE.safetensors, as A1111/ComfyUI use), or 'tiny' (a small random SDXL for CPU demos).")
    String model;

    @Option(names = "--instance-dir", required = true, description = "Folder of the subject's photos (.jpg/.png).")
    Path instanceDir;

    @Option(names = "--instance-prompt", defaultValue = "a photo of ikat cat", description = "Prompt for the photos (default: ${DEFAULT-VALUE}).")
    String instancePrompt;

    @Option(names = "--adapter", defaultValue = "moslora", description = "lora, moslora or ts-mixing (default: ${DEFAULT-VALUE}).")
    String adapter;

    @Option(names = "--rank", defaultValue = "4", description = "Adapter rank; α = rank (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--mixer-init", defaultValue = "kaiming", description = "MoSLoRA mixer init: kaiming, orthogonal, identity (default: ${DEFAULT-VALUE}).")
    String mixerInit;

    @Option(names = "--resolution", defaultValue = "1024", description = "Square training size in pixels (default: ${DEFAULT-VALUE}).")
    int resolution;

    @Option(names = "--center-crop", description = "Crop the centre instead of a random square.")
    boolean centerCrop;

    @Option(names = "--random-flip", description = "Mirror each photo with probability 1/2.")
    boolean randomFlip;

    @Option(names = "--lr", defaultValue = "1e-4", description = "Constant learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--batch", defaultValue = "1", description = "Photos per micro-batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--grad-accum", defaultValue = "4", description = "Micro-batches per optimizer step (default: ${DEFAULT-VALUE}).")
    int gradAccum;

    @Option(names = "--steps", defaultValue = "500", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--checkpoint-every", defaultValue = "0", description = "Checkpoint every N steps, 0 = never (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--resume", description = "Continue from the latest checkpoint in --out.")
    boolean resume;

    @Option(names = "--train-text-encoder", description = "Also put the adapter on both CLIP text encoders' q/k/v/out "
            + "projections (prompt re-encoded every step); outputs gain text_encoder/ and text_encoder_2/ parts.")
    boolean trainTextEncoder;

    @Option(names = "--text-encoder-lr", description = "Text encoders' learning rate with --train-text-encoder (default: --lr).")
    Double textEncoderLr;

    @Option(names = "--snr-gamma", description = "Min-SNR-γ loss weighting (default: off).")
    Double snrGamma;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, description = "Output folder: adapter/, lora/, pytorch_lora_weights.safetensors, lora_kohya.safetensors, metrics.jsonl, loss.png, validation/.")
    Path out;

    @Option(names = "--quantize", defaultValue = "none", description = "none, or nf4: the UNet's Linear layers become "
            + "frozen 4-bit NormalFloat (double quantization, blocks of 64) before the adapter wraps them, as QLoRA "
            + "(default: ${DEFAULT-VALUE}).")
    String quantize;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Option(names = "--with-prior-preservation", description = "Prior-preservation loss (as diffusers' flag; "
            + "--class-dir alone turns it on too). Needs --class-dir and --class-prompt.")
    boolean withPriorPreservation;

    @Option(names = "--class-dir", description = "Folder of class images for prior preservation; created and topped up "
            + "to --num-class-images with images the base model makes from --class-prompt (PNG, training resolution).")
    Path classDir;

    @Option(names = "--class-prompt", description = "Prompt of the subject's class, e.g. \"a photo of a cat\".")
    String classPrompt;

    @Option(names = "--prior-loss-weight", description = "Weight of the class images' loss (default: 1.0).")
    Double priorLossWeight;

    @Option(names = "--num-class-images", description = "Class images to train with; missing ones are generated (default: 100).")
    Integer numClassImages;

    @Option(names = "--class-sampling-steps", description = "Euler steps per generated class image (default: 50).")
    Integer classSamplingSteps;

    @Option(names = "--validation-prompt", description = "Write images of this prompt with the current adapter to "
            + "{out}/validation/step-NNNNN/ (DPM-Solver++ 2M, guidance 5, seeds seed..seed+K-1), after the last step.")
    String validationPrompt;

    @Option(names = "--validation-every", description = "Also validate after every N steps (default: at the end only).")
    Integer validationEvery;

    @Option(names = "--num-validation-images", description = "Validation images each time (default: 4).")
    Integer numValidationImages;

    @Option(names = "--validation-steps", description = "Sampling steps per validation image (default: 25, as diffusers).")
    Integer validationSteps;

    @Override
    public Integer call() {
        AdapterKind kind;
        try {
            kind = AdapterKind.parse(adapter);
        } catch (IllegalArgumentException e) {
            throw new UserError("--adapter " + adapter + ": " + e.getMessage());
        }
        if (kind == AdapterKind.DORA) { // refuse before training: the LoRA files written at the end cannot hold it
            throw new UserError("--adapter dora: DreamBooth writes diffusers/kohya LoRA files, which cannot hold DoRA's "
                    + "magnitude vector; use lora, moslora or ts-mixing");
        }
        if (rank <= 0) throw new UserError("--rank must be positive, got " + rank);
        if (resolution <= 0) throw new UserError("--resolution must be positive, got " + resolution);
        if (batch <= 0 || gradAccum <= 0 || steps <= 0) throw new UserError("--batch, --grad-accum and --steps must be positive");
        if (lr <= 0) throw new UserError("--lr must be positive, got " + lr);
        if (textEncoderLr != null && (textEncoderLr <= 0 || !trainTextEncoder)) {
            throw new UserError("--text-encoder-lr needs --train-text-encoder and a positive value, got " + textEncoderLr);
        }
        MixerInit init = parseMixerInit(mixerInit);
        UNetQuantization quantization = UNetQuantization.parse(quantize);
        DreamBoothOptions o = new DreamBoothOptions(instanceDir, instancePrompt, kind, rank, init,
                DreamBoothOptions.UNET_ATTENTION, resolution, centerCrop, randomFlip, lr, batch, gradAccum, steps,
                checkpointEvery, resume, seed, snrGamma, out, !noProgress)
                .withPrior(priorPreservation()).withValidation(validation());
        try (NDManager manager = NDManager.newBaseManager()) {
            SdxlModels models = SdxlModels.open(model, manager, quantization);
            int f = models.vae().config().downsampleFactor();
            if (resolution % f != 0) throw new UserError("--resolution " + resolution + " must be a multiple of " + f);
            DreamBoothTrainer.Result r = DreamBoothTrainer.train(models, o,
                    new TextEncoderTraining(trainTextEncoder, textEncoderLr), manager);
            var w = spec.commandLine().getOut();
            if (o.prior() != null) {
                w.printf(Locale.ROOT, "class images: %d in %s (%d made now by the base model)%n",
                        o.prior().numClassImages(), o.prior().classDir(), r.classImagesGenerated());
            }
            w.printf(Locale.ROOT, "adapted %d modules; trainable parameters %,d; steps run %d; final loss %.5f%n",
                    r.adaptedModules().size(), models.unet().trainableParameterCount()
                            + models.text().encoder1().trainableParameterCount()
                            + models.text().encoder2().trainableParameterCount(), r.training().stepsRun(),
                    r.training().finalLoss(10));
            if (quantization != UNetQuantization.NONE) {
                w.printf(Locale.ROOT, "UNet base: %d linear layers in %s%n", UNetQuantization.fourBitLayers(models.unet()),
                        quantization.optionValue());
            }
            w.printf("wrote %s%n", out.toAbsolutePath());
            if (!Double.isFinite(r.training().finalLoss(1))) {
                spec.commandLine().getErr().println("warning: the loss became NaN; see " + out.resolve("metrics.jsonl")
                        + " for the step (lower --lr, or resume from an earlier checkpoint)");
            }
        }
        return 0;
    }

    /** On with --with-prior-preservation or --class-dir (diffusers needs the flag; a class folder alone says enough). */
    private PriorPreservation priorPreservation() {
        if (!withPriorPreservation && classDir == null) {
            onlyWith("--class-dir", "--class-prompt", classPrompt, "--prior-loss-weight", priorLossWeight,
                    "--num-class-images", numClassImages, "--class-sampling-steps", classSamplingSteps);
            return null;
        }
        if (classDir == null) {
            throw new UserError("--with-prior-preservation needs --class-dir (a folder of class images, made if missing)");
        }
        return new PriorPreservation(classDir, classPrompt,
                priorLossWeight == null ? PriorPreservation.DEFAULT_WEIGHT : priorLossWeight,
                numClassImages == null ? PriorPreservation.DEFAULT_NUM_CLASS_IMAGES : numClassImages,
                classSamplingSteps == null ? PriorPreservation.DEFAULT_SAMPLING_STEPS : classSamplingSteps);
    }

    private ValidationSettings validation() {
        if (validationPrompt == null) {
            onlyWith("--validation-prompt", "--validation-every", validationEvery, "--num-validation-images",
                    numValidationImages, "--validation-steps", validationSteps);
            return null;
        }
        return new ValidationSettings(validationPrompt, validationEvery == null ? 0 : validationEvery,
                numValidationImages == null ? ValidationSettings.DEFAULT_NUM_IMAGES : numValidationImages,
                validationSteps == null ? ValidationSettings.DEFAULT_SAMPLING_STEPS : validationSteps);
    }

    /** Refuses options (name, value pairs) given without the option they belong to, rather than ignore them. */
    private static void onlyWith(String owner, Object... nameValuePairs) {
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            if (nameValuePairs[i + 1] != null) {
                throw new UserError(nameValuePairs[i] + " is only used with " + owner + "; add " + owner + " or drop it");
            }
        }
    }

    static MixerInit parseMixerInit(String name) {
        for (MixerInit m : MixerInit.values()) {
            if (m.name().equalsIgnoreCase(name.replace('-', '_'))) return m;
        }
        throw new UserError("--mixer-init " + name + ": use one of " + String.join(", ",
                List.of(MixerInit.values()).stream().map(m -> m.name().toLowerCase(Locale.ROOT)).toList()));
    }
}
