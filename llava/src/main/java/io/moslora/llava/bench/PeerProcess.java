package io.moslora.llava.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a PyTorch peer script with Debian's python3 (which has python3-torch) and reads the lines it prints. */
final class PeerProcess {
    /** Debian's interpreter, not another one on the PATH. */
    static final Path PYTHON = Path.of("/usr/bin/python3");

    private PeerProcess() {}

    /** The script's output lines, or null when python3 or the script is missing or the script fails. */
    static List<String> run(Path script, List<String> args) {
        if (!Files.isExecutable(PYTHON) || !Files.isRegularFile(script)) {
            return null;
        }
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script.toString()));
        command.addAll(args);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                System.err.println("pytorch peer failed: " + out.lines().reduce((a, b) -> b).orElse(""));
                return null;
            }
            return out.lines().toList();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Lines {@code <prefix><key> <ms> <ms> ...} as timings by key; null when the script did not run. */
    static Map<String, List<Double>> timings(Path script, String prefix, List<String> args) {
        List<String> lines = run(script, args);
        if (lines == null) {
            return null;
        }
        Map<String, List<Double>> out = new LinkedHashMap<>();
        for (String line : lines) {
            if (line.startsWith(prefix)) {
                String[] f = line.substring(prefix.length()).trim().split("\\s+");
                List<Double> ms = new ArrayList<>();
                for (int i = 1; i < f.length; i++) {
                    ms.add(Double.parseDouble(f[i]));
                }
                out.put(f[0], ms);
            }
        }
        return out;
    }
}
