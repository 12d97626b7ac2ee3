package io.moslora.llava;

import io.moslora.llava.chat.ChatCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ./moslora llava …}: the LLaVA pipeline's commands. */
@Command(name = "llava", mixinStandardHelpOptions = true,
        description = "LLaVA-1.5 visual instruction models: fine-tune with (Q)MoSLoRA, merge into a llava-hf checkpoint, chat about an image.",
        subcommands = {ChatCommand.class, io.moslora.llava.train.TrainCommand.class,
            io.moslora.llava.merge.MergeCommand.class})
public final class LlavaCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
