package io.moslora.eval.human;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code human-eval}: the blind pairwise human study of two systems (the paper's Table 6), export then score. */
@Command(name = "human-eval", mixinStandardHelpOptions = true,
        description = "Blind pairwise human evaluation of two systems' images: export a rater page, score the votes.",
        subcommands = {ExportCommand.class, ScoreCommand.class})
public final class HumanEvalCommand extends io.moslora.cli.CommandGroup {
}
