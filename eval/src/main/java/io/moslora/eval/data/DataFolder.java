package io.moslora.eval.data;

import io.moslora.cli.UserError;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where benchmark TSVs live: {@code --data-dir}, else the {@code LMUData} environment variable, else
 * {@code ~/LMUData} — the same lookup VLMEvalKit uses, so an existing VLMEvalKit download is found as is.
 */
public final class DataFolder {
    private DataFolder() {}

    public static Path root(Path explicit) {
        if (explicit != null) {
            return explicit;
        }
        String env = System.getenv("LMUData");
        if (env != null && !env.isBlank() && Files.isDirectory(Path.of(env))) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), "LMUData");
    }

    /** A dataset given as a file path or as a name looked up as {@code NAME.tsv} in the data folder. */
    public static Path resolve(String nameOrFile, Path explicitRoot) {
        Path asFile = Path.of(nameOrFile);
        if (nameOrFile.endsWith(".tsv") || Files.isRegularFile(asFile)) {
            if (!Files.isRegularFile(asFile)) {
                throw new UserError(nameOrFile + ": dataset file not found");
            }
            return asFile;
        }
        Path root = root(explicitRoot);
        Path tsv = root.resolve(nameOrFile + ".tsv");
        if (!Files.isRegularFile(tsv)) {
            throw new UserError(tsv + ": dataset '" + nameOrFile + "' not found in the data folder; put "
                    + nameOrFile + ".tsv there, pass --data-dir, or give the TSV path");
        }
        return tsv;
    }

    /** The dataset name VLMEvalKit would use for a file: its name without {@code .tsv}. */
    public static String nameOf(Path tsv) {
        String f = tsv.getFileName().toString();
        int dot = f.lastIndexOf('.');
        return dot > 0 ? f.substring(0, dot) : f;
    }
}
