package io.moslora.sdxl.cli;

import ai.djl.ndarray.NDManager;
import io.moslora.cli.UserError;
import io.moslora.sdxl.model.SdxlModels;
import io.moslora.sdxl.single.SdxlSingleFile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code moslora sdxl to-single-file}: a diffusers SDXL folder (or 'tiny') as one A1111/ComfyUI-style checkpoint. */
@Command(name = "to-single-file", mixinStandardHelpOptions = true,
        description = "Write an SDXL pipeline as one single-file checkpoint in Stability's layout (as "
                + "sd_xl_base_1.0.safetensors, which A1111 and ComfyUI load); our configs go into its metadata so "
                + "'--model FILE.safetensors' reads non-base shapes back.")
public final class ToSingleFileCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "A diffusers SDXL folder, a single-file checkpoint, or 'tiny'.")
    String model;

    @Option(names = "--out", required = true, description = "The .safetensors file to write.")
    Path out;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Override
    public Integer call() {
        if (!SdxlSingleFile.isSingleFile(out)) throw new UserError(out + ": --out must name a .safetensors file");
        try (NDManager manager = NDManager.newBaseManager()) {
            SdxlModels models = SdxlModels.open(model, manager);
            long count = models.unet().namedParameters().size() + models.vae().namedParameters().size()
                    + models.text().encoder1().namedParameters().size() + models.text().encoder2().namedParameters().size();
            try (ProgressBar bar = noProgress ? null : new ProgressBar("to-single-file", count)) {
                SdxlSingleFile.write(models, out, (tensor, bytes) -> {
                    if (bar != null) bar.step();
                });
            }
        }
        return 0;
    }
}
