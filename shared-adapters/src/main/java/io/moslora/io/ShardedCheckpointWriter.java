package io.moslora.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Saves a checkpoint the way Hugging Face does: one {@code <prefix>.safetensors} when everything fits in one
 * shard, else {@code <prefix>-00001-of-0000N.safetensors} files plus {@code <prefix>.safetensors.index.json}
 * ({@code metadata.total_size}, sorted {@code weight_map}). Shards are filled greedily in tensor order; a tensor
 * larger than the limit gets a shard of its own. The index is written last, and files of an earlier save that the
 * new layout no longer uses are removed afterwards, so a reader never finds an index naming stale shards.
 */
public final class ShardedCheckpointWriter {
    private ShardedCheckpointWriter() {}

    /** Writes {@code tensors} into {@code folder}; returns the files written (shards, then the index if any). */
    public static List<Path> write(SafetensorsWriter tensors, Path folder, String prefix, long maxShardBytes) {
        return write(tensors, folder, prefix, maxShardBytes, SafetensorsWriter.Progress.NONE);
    }

    public static List<Path> write(SafetensorsWriter tensors, Path folder, String prefix, long maxShardBytes,
            SafetensorsWriter.Progress progress) {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("max shard size must be positive");
        }
        List<List<SafetensorsWriter.PendingTensor>> shards = split(tensors.tensors(), maxShardBytes);
        List<Path> written = new ArrayList<>();
        Path index = folder.resolve(prefix + ".safetensors.index.json");
        if (shards.size() <= 1) {
            Path single = folder.resolve(prefix + ".safetensors");
            SafetensorsWriter.writeFile(single, tensors.metadata(), shards.isEmpty() ? List.of() : shards.get(0),
                    progress);
            written.add(single);
        } else {
            TreeMap<String, String> weightMap = new TreeMap<>();
            long totalSize = 0;
            for (int i = 0; i < shards.size(); i++) {
                String shardName = String.format("%s-%05d-of-%05d.safetensors", prefix, i + 1, shards.size());
                SafetensorsWriter.writeFile(folder.resolve(shardName), tensors.metadata(), shards.get(i), progress);
                written.add(folder.resolve(shardName));
                for (SafetensorsWriter.PendingTensor t : shards.get(i)) {
                    weightMap.put(t.name(), shardName);
                    totalSize += t.byteSize();
                }
            }
            AtomicFiles.writeString(index, indexJson(totalSize, weightMap));
            written.add(index);
        }
        removeStale(folder, prefix, written);
        return written;
    }

    /** HF's greedy split: start a new shard when the next tensor would overflow the current one. */
    static List<List<SafetensorsWriter.PendingTensor>> split(List<SafetensorsWriter.PendingTensor> tensors, long max) {
        List<List<SafetensorsWriter.PendingTensor>> shards = new ArrayList<>();
        List<SafetensorsWriter.PendingTensor> current = new ArrayList<>();
        long currentSize = 0;
        for (SafetensorsWriter.PendingTensor t : tensors) {
            if (t.byteSize() > max) {
                shards.add(List.of(t));
                continue;
            }
            if (currentSize + t.byteSize() > max && !current.isEmpty()) {
                shards.add(current);
                current = new ArrayList<>();
                currentSize = 0;
            }
            current.add(t);
            currentSize += t.byteSize();
        }
        if (!current.isEmpty()) {
            shards.add(current);
        }
        return shards;
    }

    private static String indexJson(long totalSize, TreeMap<String, String> weightMap) {
        JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        ObjectNode root = json.createObjectNode();
        root.putObject("metadata").put("total_size", totalSize);
        ObjectNode map = root.putObject("weight_map");
        weightMap.forEach(map::put);
        try {
            return json.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a shard index", e);
        }
    }

    private static void removeStale(Path folder, String prefix, List<Path> written) {
        Pattern ours = Pattern.compile(Pattern.quote(prefix) + "(-\\d{5}-of-\\d{5})?\\.safetensors(\\.index\\.json)?");
        Set<Path> keep = new HashSet<>();
        for (Path p : written) {
            keep.add(p.toAbsolutePath().normalize());
        }
        try (var files = Files.list(folder)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (ours.matcher(p.getFileName().toString()).matches() && !keep.contains(p.toAbsolutePath().normalize())) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tidy old shards in " + folder + ": " + e.getMessage(), e);
        }
    }
}
