package io.moslora.bench;

import io.moslora.engine.MklVendorCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Runs a PyTorch peer script of {@code benchmarks/} with Debian's {@code /usr/bin/python3} (the one python3-torch
 * installs into, not another python on the PATH) and reads the {@code key value} lines it prints. When the peer
 * cannot run (no python, no torch, a missing or failing script) the result says why in one line instead of
 * throwing: a benchmark then prints the reason and goes on without the peer.
 */
public final class PytorchPeer {
    /** Debian's interpreter. */
    public static final Path PYTHON = Path.of("/usr/bin/python3");

    /** The printed values by key, or {@code problem} (one line) when the script could not give them. */
    public record Result(Map<String, String> values, String problem) {
        public boolean ok() {
            return problem == null;
        }

        public double number(String key) {
            String v = values.get(key);
            if (v == null) throw new IllegalStateException("the PyTorch peer printed no " + key);
            return Double.parseDouble(v);
        }
    }

    private PytorchPeer() {}

    /** Whether {@code import torch} works in Debian's python3; null if it does, else why not. */
    public static String torchMissing() {
        if (!Files.isExecutable(PYTHON)) {
            return PYTHON + " not found (install Debian's python3-torch)";
        }
        Result r = exec(List.of(PYTHON.toString(), "-c", "import torch"));
        return r.ok() ? null : "python3-torch is not importable (install Debian's python3-torch): " + r.problem();
    }

    /** The torch thread count to give the peer: the JVM's own ({@code 0} lets torch choose, as ours did). */
    public static int jvmTorchThreads() {
        return Integer.parseInt(System.getProperty("ai.djl.pytorch.num_threads", "0"));
    }

    /** Runs {@code script} with {@code args}; every line {@code key value} of its output becomes an entry. */
    public static Result run(Path script, List<String> args) {
        if (!Files.isRegularFile(script)) {
            return new Result(Map.of(), script + ": no such peer script (run from the repository root or pass --pytorch-script)");
        }
        if (!Files.isExecutable(PYTHON)) {
            return new Result(Map.of(), PYTHON + " not found (install Debian's python3-torch)");
        }
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script.toString()));
        command.addAll(args);
        Result r = exec(command);
        if (!r.ok() && r.problem().contains("No module named 'torch'")) {
            return new Result(Map.of(), "python3-torch is not installed (install Debian's python3-torch)");
        }
        return r;
    }

    /**
     * {@code LD_PRELOAD} for the peer: the launcher's MKL shim ({@link MklVendorCheck}) is ours, the peer runs as
     * Debian ships it; other entries stay. Null when nothing is left.
     */
    static String withoutMklShim(String preload) {
        if (preload == null) {
            return null;
        }
        String others = Arrays.stream(preload.split(":"))
                .filter(entry -> !entry.isEmpty() && !entry.endsWith("/" + MklVendorCheck.SHIM_FILE))
                .collect(Collectors.joining(":"));
        return others.isEmpty() ? null : others;
    }

    private static Result exec(List<String> command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            String preload = withoutMklShim(builder.environment().remove("LD_PRELOAD"));
            if (preload != null) {
                builder.environment().put("LD_PRELOAD", preload);
            }
            Process p = builder.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                return new Result(Map.of(), "exit " + p.exitValue() + ": " + out.strip().lines().reduce((a, b) -> b).orElse(""));
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (String line : out.split("\n")) {
                int space = line.indexOf(' ');
                if (space > 0) {
                    values.put(line.substring(0, space), line.substring(space + 1).trim());
                }
            }
            return new Result(values, null);
        } catch (IOException e) {
            return new Result(Map.of(), "cannot start " + command.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(Map.of(), "interrupted");
        }
    }
}
