package io.moslora.llava.merge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The files besides the weights that make a checkpoint usable: tokenizer, generation and image-processor
 * configs, and the training's resolved config (its chat template, which eval reads). Only these known names are
 * carried over — a CLIP folder's own tokenizer or a base's other weight formats must not end up in the merged folder.
 */
final class SideFiles {
    /** What Hugging Face tools read next to {@code config.json}. */
    static final Set<String> KNOWN = Set.of("tokenizer.json", "tokenizer.model", "tokenizer_config.json",
            "special_tokens_map.json", "added_tokens.json", "vocab.json", "merges.txt", "chat_template.json",
            "chat_template.jinja", "generation_config.json", "preprocessor_config.json", "processor_config.json",
            "train_config.json");

    private SideFiles() {}

    /**
     * Copies the known files of each source into {@code out}; a name already copied from an earlier source is kept
     * (sources come in priority order). A source may be a folder or a single file. Returns the names copied.
     */
    static List<String> copy(List<Path> sources, Path out) throws IOException {
        List<String> copied = new ArrayList<>();
        for (Path source : sources) {
            for (Path f : candidates(source)) {
                String name = f.getFileName().toString();
                if (!copied.contains(name) && !Files.exists(out.resolve(name))) {
                    Files.copy(f, out.resolve(name));
                    copied.add(name);
                }
            }
        }
        return copied;
    }

    private static List<Path> candidates(Path source) throws IOException {
        if (Files.isRegularFile(source)) {
            return List.of(source);
        }
        if (!Files.isDirectory(source)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(source)) {
            return files.filter(Files::isRegularFile).filter(f -> wanted(f.getFileName().toString())).sorted().toList();
        }
    }

    /** Known names, plus the tokenizer code that custom-code models (InternLM2) name in their auto_map. */
    private static boolean wanted(String name) {
        return KNOWN.contains(name) || (name.startsWith("tokenization_") && name.endsWith(".py"));
    }
}
