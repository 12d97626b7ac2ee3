package io.moslora.llava;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moslora.llava.data.Turn;
import io.moslora.llava.template.ChatTemplate;
import io.moslora.llava.template.ChatTemplates;
import io.moslora.llava.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./moslora tokenize}: the ids a tokenizer (and optionally a chat template) gives a text. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Print the token ids of a text. With --template the text is one user message wrapped as the "
                + "prompt for the assistant's answer, and <image> becomes -200 (LLaVA's IMAGE_TOKEN_INDEX).")
public final class TokenizeCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--tokenizer", required = true, paramLabel = "FILE",
            description = "tokenizer.json, tokenizer.model, or a folder holding one")
    Path tokenizer;

    @Option(names = "--template", paramLabel = "NAME",
            description = "vicuna_v1, llama3_chat, internlm2_chat, jinja (tokenizer_config.json beside the tokenizer), or a tokenizer_config.json path")
    String template;

    @Option(names = "--text", required = true, description = "the text to tokenize")
    String text;

    @Option(names = "--json", description = "print a JSON object instead of space-separated ids")
    boolean json;

    @Override
    public Integer call() throws Exception {
        int[] ids;
        try (TextTokenizer tok = TextTokenizer.open(tokenizer)) {
            if (template != null) {
                ChatTemplate t = ChatTemplates.named(template, tokenizer);
                ids = t.generationPrompt(List.of(Turn.human(text)), tok);
            } else {
                ids = tok.encodeWithBos(text);
            }
        }
        var out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper m = new ObjectMapper();
            ObjectNode o = m.createObjectNode();
            o.put("tokenizer", tokenizer.toString());
            if (template != null) {
                o.put("template", template);
            }
            o.put("count", ids.length);
            IntStream.of(ids).forEach(o.putArray("ids")::add);
            out.println(m.writeValueAsString(o));
        } else {
            out.println(IntStream.of(ids).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
        }
        return 0;
    }
}
