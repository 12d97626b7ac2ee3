package io.moslora.llava.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a PyTorch eager peer script of {@code benchmarks/} with Debian's python3 (the one that has python3-torch,
 * not another python3 on the PATH) and reads the {@code key value} lines it prints.
 */
public final class PytorchPeer {
    /** Debian's interpreter. */
    public static final Path PYTHON = Path.of("/usr/bin/python3");

    private PytorchPeer() {}

    /** Whether Debian's python3 can import torch. */
    public static boolean torchAvailable() {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The torch thread count to give the peer: the JVM's own ({@code 0} lets torch choose, as ours did). */
    public static int jvmTorchThreads() {
        return Integer.parseInt(System.getProperty("ai.djl.pytorch.num_threads", "0"));
    }

    /**
     * The script's printed {@code key value} pairs, or null when python3 or the script is missing or the script
     * fails (its last line then goes to stderr).
     */
    public static Map<String, String> run(Path script, List<String> args) {
        if (!Files.isExecutable(PYTHON) || !Files.isRegularFile(script)) {
            return null;
        }
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script.toString()));
        command.addAll(args);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                System.err.println("pytorch peer " + script + " failed: " + out.lines().reduce((a, b) -> b).orElse(""));
                return null;
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (String line : out.split("\n")) {
                String[] kv = line.trim().split(" ", 2);
                if (kv.length == 2) {
                    values.put(kv[0], kv[1].trim());
                }
            }
            return values;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
