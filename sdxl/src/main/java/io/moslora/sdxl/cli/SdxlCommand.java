package io.moslora.sdxl.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code moslora sdxl}: SDXL DreamBooth fine-tuning with (Mo)LoRA and image generation. */
@Command(name = "sdxl", mixinStandardHelpOptions = true,
        description = "SDXL: DreamBooth fine-tuning with LoRA/MoSLoRA adapters, and text-to-image generation.",
        subcommands = {DreamBoothCommand.class, GenerateCommand.class, ToSingleFileCommand.class, BenchCommand.class})
public final class SdxlCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
