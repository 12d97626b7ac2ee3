package io.moslora.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moslora.cli.UserError;
import io.moslora.io.AtomicFiles;
import io.moslora.io.SafetensorsFile;
import io.moslora.io.SafetensorsWriter;
import io.moslora.nn.Parameter;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Training checkpoints as folders {@code checkpoint-<step>/} holding the trainable parameters, the optimizer's
 * moments and {@code trainer_state.json}. A folder is filled under a temporary name and renamed into place
 * only when complete, so a crash mid-save never leaves a checkpoint that looks whole; resume takes the newest.
 */
public final class Checkpoints {
    static final String PARAMS = "trainable.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String STATE = "trainer_state.json";

    private final Path root;
    private final int keep;

    public Checkpoints(Path root, int keep) {
        this.root = root;
        this.keep = keep;
    }

    /** What a checkpoint restores besides tensors. */
    public record State(long step, List<double[]> losses) {}

    public void save(long step, Map<String, Parameter> params, AdamW optimizer, List<double[]> losses) {
        Path target = root.resolve(String.format("checkpoint-%08d", step));
        try {
            Files.createDirectories(root);
            Path tmp = Files.createTempDirectory(root, ".checkpoint-");
            SafetensorsWriter p = new SafetensorsWriter();
            params.forEach((k, v) -> p.add(k, v.array()));
            p.write(tmp.resolve(PARAMS));
            SafetensorsWriter o = new SafetensorsWriter();
            optimizer.firstMoments().forEach((k, v) -> o.add("exp_avg." + k, v));
            optimizer.secondMoments().forEach((k, v) -> o.add("exp_avg_sq." + k, v));
            o.write(tmp.resolve(OPTIMIZER));
            ObjectNode state = new ObjectMapper().createObjectNode();
            state.put("step", step);
            state.put("optimizer_step", optimizer.stepCount());
            var arr = state.putArray("losses");
            losses.forEach(l -> arr.addArray().add(l[0]).add(l[1]));
            AtomicFiles.writeString(tmp.resolve(STATE), state.toString());
            if (Files.exists(target)) {
                deleteTree(target);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
            prune();
        } catch (IOException e) {
            throw new UserError("cannot write checkpoint " + target + ": " + e.getMessage());
        }
    }

    /** The newest complete checkpoint folder, if any. */
    public Optional<Path> latest() {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith("checkpoint-"))
                    .filter(p -> Files.isRegularFile(p.resolve(STATE)))
                    .max(Comparator.comparing(p -> p.getFileName().toString()));
        } catch (IOException e) {
            throw new UserError("cannot list checkpoints in " + root + ": " + e.getMessage());
        }
    }

    /** Restores parameters and optimizer state from {@code dir}; returns the step to continue from. */
    public static State restore(Path dir, Map<String, Parameter> params, AdamW optimizer, NDManager stateManager) {
        try (SafetensorsFile p = SafetensorsFile.open(dir.resolve(PARAMS));
                SafetensorsFile o = SafetensorsFile.open(dir.resolve(OPTIMIZER))) {
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                if (!p.contains(e.getKey())) {
                    throw new UserError(p.path() + ": checkpoint has no tensor " + e.getKey()
                            + " (was it written by a run with other adapter settings?)");
                }
                NDArray current = e.getValue().array();
                NDArray loaded = p.toNDArray(current.getManager(), e.getKey(), current.getDataType());
                e.getValue().set(loaded);
            }
            Map<String, NDArray> m = new LinkedHashMap<>();
            Map<String, NDArray> v = new LinkedHashMap<>();
            for (String k : o.names()) {
                NDArray a = o.toNDArray(stateManager, k);
                if (k.startsWith("exp_avg_sq.")) {
                    v.put(k.substring("exp_avg_sq.".length()), a);
                } else {
                    m.put(k.substring("exp_avg.".length()), a);
                }
            }
            var json = new ObjectMapper().readTree(dir.resolve(STATE).toFile());
            optimizer.restore(json.get("optimizer_step").asLong(), m, v);
            List<double[]> losses = new java.util.ArrayList<>();
            json.get("losses").forEach(n -> losses.add(new double[] {n.get(0).asDouble(), n.get(1).asDouble()}));
            return new State(json.get("step").asLong(), losses);
        } catch (IOException e) {
            throw new UserError(dir.resolve(STATE) + ": unreadable: " + e.getMessage());
        }
    }

    private void prune() throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            List<Path> all = s.filter(p -> p.getFileName().toString().startsWith("checkpoint-")).sorted().toList();
            for (int i = 0; i < all.size() - keep; i++) {
                deleteTree(all.get(i));
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
