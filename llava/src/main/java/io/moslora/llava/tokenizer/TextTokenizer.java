package io.moslora.llava.tokenizer;

import io.moslora.cli.UserError;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the data pipeline and the chat loop need from a tokenizer, whichever file format it came from.
 * Special-token strings written in the text (e.g. {@code </s>}, {@code <|eot_id|>}) become their ids, as the
 * Hugging Face tokenizers do.
 */
public interface TextTokenizer extends AutoCloseable {
    /** Ids of {@code text} with no BOS/EOS added. */
    int[] encode(String text);

    /** Ids of {@code text} as the default call ({@code tokenizer(text)}) gives them: BOS first if the tokenizer adds one. */
    int[] encodeWithBos(String text);

    /** Text of {@code ids}; special tokens are dropped when {@code skipSpecial}. */
    String decode(int[] ids, boolean skipSpecial);

    int bosId();

    int eosId();

    /** The padding id, or -1 when the tokenizer defines none. */
    int padId();

    /** The id of one token string, or -1 when it is not in the vocabulary. */
    int tokenId(String token);

    int vocabSize();

    /**
     * Hugging Face's {@code legacy} flag of Llama SentencePiece tokenizers (text after a special token gets a
     * prefix space when true). LLaVA's label arithmetic depends on it. Other tokenizers have no such flag.
     */
    default boolean legacy() {
        return true;
    }

    @Override
    void close();

    /**
     * Opens {@code tokenizer.json} (Hugging Face) or {@code tokenizer.model} (SentencePiece); a folder is searched
     * for either, the JSON file first.
     */
    static TextTokenizer open(Path file) {
        Path f = file;
        if (Files.isDirectory(file)) {
            if (Files.isRegularFile(file.resolve("tokenizer.json"))) {
                f = file.resolve("tokenizer.json");
            } else if (Files.isRegularFile(file.resolve("tokenizer.model"))) {
                f = file.resolve("tokenizer.model");
            } else {
                throw new UserError(file + ": no tokenizer.json or tokenizer.model in this folder");
            }
        }
        if (!Files.isRegularFile(f)) {
            throw new UserError(f + ": tokenizer file not found; pass a tokenizer.json or tokenizer.model");
        }
        return f.getFileName().toString().endsWith(".json")
                ? HfJsonTokenizer.load(f)
                : SentencePieceTokenizer.load(f);
    }
}
