package io.moslora.llava.template;

import io.moslora.cli.UserError;
import io.moslora.llava.tokenizer.TokenizerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds a template by name: a built-in one, or {@code jinja} (the chat_template beside the tokenizer). */
public final class ChatTemplates {
    public static final List<String> NAMES = List.of(VicunaV1Template.NAME, "llama3_chat", "internlm2_chat", "jinja");

    private ChatTemplates() {}

    /**
     * @param name a built-in name, {@code jinja}, or a path to a {@code tokenizer_config.json}
     * @param tokenizerFile where {@code jinja} looks for {@code tokenizer_config.json}
     */
    public static ChatTemplate named(String name, Path tokenizerFile) {
        switch (name) {
            case VicunaV1Template.NAME:
                return new VicunaV1Template();
            case "llama3_chat":
                return XtunerTemplate.LLAMA3_CHAT;
            case "internlm2_chat":
                return XtunerTemplate.INTERNLM2_CHAT;
            case "jinja":
                Path dir = tokenizerFile.toAbsolutePath();
                dir = Files.isDirectory(dir) ? dir : dir.getParent();
                Path cfg = dir.resolve(TokenizerConfig.FILE_NAME);
                if (!Files.isRegularFile(cfg)) {
                    throw new UserError(cfg + ": not found; template 'jinja' needs the tokenizer_config.json beside the tokenizer");
                }
                return new JinjaChatTemplate(TokenizerConfig.read(cfg));
            default:
                if (name.endsWith(".json") && Files.isRegularFile(Path.of(name))) {
                    return new JinjaChatTemplate(TokenizerConfig.read(Path.of(name)));
                }
                throw new UserError("--template '" + name + "': unknown; use one of " + NAMES + " or a tokenizer_config.json path");
        }
    }
}
