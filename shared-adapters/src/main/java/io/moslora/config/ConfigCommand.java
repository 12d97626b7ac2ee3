package io.moslora.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.moslora.cli.UserError;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./moslora config FILE}: shows a Hugging Face / diffusers config as the Python library resolves it, every
 * omitted field filled with the library default. Also prints the embedded tiny configs.
 */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = {
            "Show a Hugging Face or diffusers config as the Python library resolves it: every field the file omits "
                    + "takes the library's default.",
            "Types: llama, internlm2, clip, clip_text_model, clip_vision_model, llava (model_type); "
                    + "UNet2DConditionModel, AutoencoderKL and schedulers (_class_name)."
        })
public final class ConfigCommand implements Callable<Integer> {
    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    @Spec CommandSpec spec;

    static final class Source {
        @Parameters(index = "0", paramLabel = "FILE", description = "config.json, unet/config.json, scheduler_config.json, ...")
        Path file;

        @Option(names = "--tiny", paramLabel = "NAME", description = "an embedded tiny config instead of a file: ${COMPLETION-CANDIDATES}",
                completionCandidates = TinyNames.class)
        String tiny;
    }

    static final class TinyNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return TinyConfigs.NAMES.iterator();
        }
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--json", description = "print the resolved config as one JSON object (a file the Python libraries read)")
    boolean json;

    @Override
    public Integer call() {
        HfConfig config = source.tiny != null ? TinyConfigs.load(source.tiny) : HfConfigs.load(source.file);
        JsonNode resolved = HfConfigJson.toJson(config);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            try {
                out.println(JSON.writeValueAsString(resolved));
            } catch (JsonProcessingException e) {
                throw new UserError("cannot print the config: " + e.getOriginalMessage());
            }
        } else {
            printFlat(out, "", resolved);
        }
        out.flush();
        return 0;
    }

    /** One {@code name = value} line per field, nested configs as {@code text_config.hidden_size}. */
    private static void printFlat(PrintWriter out, String prefix, JsonNode node) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject() && e.getKey().endsWith("_config")) {
                printFlat(out, prefix + e.getKey() + ".", e.getValue());
            } else {
                out.println(prefix + e.getKey() + " = " + e.getValue());
            }
        }
    }
}
