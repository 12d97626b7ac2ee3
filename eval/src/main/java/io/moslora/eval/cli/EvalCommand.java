package io.moslora.eval.cli;

import picocli.CommandLine.Command;

/** {@code moslora eval}: VLMEvalKit-style and commonsense evaluation. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Evaluate models and score prediction files the way VLMEvalKit and LLM-Adapters do.",
        subcommands = {RunCommand.class, ScoreCommand.class, CommonsenseCommand.class, CommonsenseScoreCommand.class})
public final class EvalCommand extends io.moslora.cli.CommandGroup {}
