package io.moslora.eval.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code moslora eval}: VLMEvalKit-style and commonsense evaluation. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Evaluate models and score prediction files the way VLMEvalKit and LLM-Adapters do.",
        subcommands = {RunCommand.class, ScoreCommand.class, CommonsenseCommand.class, CommonsenseScoreCommand.class})
public final class EvalCommand extends io.moslora.cli.CommandGroup {
    @Spec
    CommandSpec spec;
}
