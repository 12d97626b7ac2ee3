package io.moslora.sdxl.train;

import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.MixerInit;
import java.nio.file.Path;
import java.util.List;

/**
 * A DreamBooth run's settings; {@link #paper} gives the MoSLoRA paper's SDXL run (diffusers'
 * {@code train_dreambooth_lora_sdxl.py}: rank 4, α = rank, gaussian A, lr 1e-4 constant, batch 1 × accumulation 4,
 * 500 steps, no prior preservation, text encoders frozen).
 *
 * @param snrGamma Min-SNR-γ loss weighting, or null for the plain mean squared error
 * @param prior prior preservation, or null for none (the paper's run)
 * @param validation validation images during training, or null for none
 */
public record DreamBoothOptions(Path instanceDir, String instancePrompt, AdapterKind adapter, int rank,
        MixerInit mixerInit, List<String> targets, int resolution, boolean centerCrop, boolean randomFlip, double lr,
        int batch, int gradAccum, long steps, int checkpointEvery, boolean resume, long seed, Double snrGamma,
        Path outDir, boolean progress, PriorPreservation prior, ValidationSettings validation) {

    public static final List<String> UNET_ATTENTION = List.of("to_q", "to_k", "to_v", "to_out.0");

    /** Without prior preservation or validation. */
    public DreamBoothOptions(Path instanceDir, String instancePrompt, AdapterKind adapter, int rank, MixerInit mixerInit,
            List<String> targets, int resolution, boolean centerCrop, boolean randomFlip, double lr, int batch,
            int gradAccum, long steps, int checkpointEvery, boolean resume, long seed, Double snrGamma, Path outDir,
            boolean progress) {
        this(instanceDir, instancePrompt, adapter, rank, mixerInit, targets, resolution, centerCrop, randomFlip, lr, batch,
                gradAccum, steps, checkpointEvery, resume, seed, snrGamma, outDir, progress, null, null);
    }

    public static DreamBoothOptions paper(Path instanceDir, String prompt, AdapterKind adapter, Path outDir) {
        return new DreamBoothOptions(instanceDir, prompt, adapter, 4, MixerInit.KAIMING, UNET_ATTENTION, 1024, false,
                false, 1e-4, 1, 4, 500, 0, false, 0, null, outDir, true);
    }

    public DreamBoothOptions withPrior(PriorPreservation p) {
        return new DreamBoothOptions(instanceDir, instancePrompt, adapter, rank, mixerInit, targets, resolution, centerCrop,
                randomFlip, lr, batch, gradAccum, steps, checkpointEvery, resume, seed, snrGamma, outDir, progress, p,
                validation);
    }

    public DreamBoothOptions withValidation(ValidationSettings v) {
        return new DreamBoothOptions(instanceDir, instancePrompt, adapter, rank, mixerInit, targets, resolution, centerCrop,
                randomFlip, lr, batch, gradAccum, steps, checkpointEvery, resume, seed, snrGamma, outDir, progress, prior,
                v);
    }
}
