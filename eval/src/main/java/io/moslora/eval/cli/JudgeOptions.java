package io.moslora.eval.cli;

import io.moslora.eval.judge.Judge;
import io.moslora.eval.judge.JudgeClient;
import picocli.CommandLine.Option;

/** The judge endpoint options shared by the commands that score (a mixin). */
public final class JudgeOptions {
    @Option(names = "--judge-url", description = "OpenAI-compatible chat endpoint (base .../v1 or .../chat/completions) "
            + "for judge-scored sets (MathVista, MM-Vet) and the judge fallback of answer matching")
    String url;

    @Option(names = "--judge-model", description = "Judge model name sent to the endpoint, e.g. gpt-4o-mini")
    String model;

    @Option(names = "--judge-key-env", defaultValue = "OPENAI_API_KEY",
            description = "Environment variable holding the judge API key (default: ${DEFAULT-VALUE})")
    String keyEnv;

    @Option(names = "--judge-max-tokens", defaultValue = "2048",
            description = "max_tokens for judge replies (VLMEvalKit: 2048; 128 for MathVista)")
    int maxTokens;

    /** The judge, or null when no --judge-url was given. */
    public Judge judge() {
        if (url == null) {
            if (model != null) {
                throw new io.moslora.cli.UserError("--judge-model: given without --judge-url; add the endpoint");
            }
            return null;
        }
        JudgeClient judge = JudgeClient.fromOptions(url, model, keyEnv, maxTokens);
        // VLMEvalKit checks the endpoint first; we stop rather than silently score another way.
        if (!judge.working()) {
            throw new io.moslora.cli.UserError("--judge-url: " + url + " gave no answer to a test prompt after "
                    + JudgeClient.ATTEMPTS * JudgeClient.ATTEMPTS + " attempts; check the address, --judge-model and $"
                    + keyEnv);
        }
        return judge;
    }
}
