package io.moslora.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One view over a checkpoint's tensors, whether it is a single safetensors file or a Hugging Face shard set
 * ({@code model.safetensors.index.json} whose {@code weight_map} names the shard file of every tensor). Shard
 * headers are all read and cross-checked against the index on open, so a missing shard or tensor fails at once
 * with the index file named; tensor data stays on disk until asked for.
 */
public final class ShardedCheckpoint implements TensorReader {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";
    /** An index is a small JSON file (about 100 bytes per tensor); anything bigger is not one. */
    private static final long MAX_INDEX_BYTES = 64L << 20;

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path source;
    private final List<SafetensorsFile> shards;
    private final Map<String, SafetensorsFile> owner;
    private final List<String> names;
    private final Map<String, String> metadata;

    private ShardedCheckpoint(Path source, List<SafetensorsFile> shards, Map<String, SafetensorsFile> owner,
            Map<String, String> metadata) {
        this.source = source;
        this.shards = shards;
        this.owner = owner;
        this.names = List.copyOf(owner.keySet());
        this.metadata = metadata;
    }

    /**
     * Opens a checkpoint folder (its index if it has one, else {@code model.safetensors}), an index file
     * ({@code *.json}), or any single safetensors file.
     */
    public static ShardedCheckpoint open(Path path) {
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve(INDEX_FILE))) {
                return openIndex(path.resolve(INDEX_FILE));
            }
            if (Files.isRegularFile(path.resolve(SINGLE_FILE))) {
                return openSingle(path.resolve(SINGLE_FILE));
            }
            throw new SafetensorsException(path, "folder holds neither " + SINGLE_FILE + " nor " + INDEX_FILE);
        }
        if (path.getFileName() != null && path.getFileName().toString().endsWith(".json")) {
            return openIndex(path);
        }
        return openSingle(path);
    }

    private static ShardedCheckpoint openSingle(Path file) {
        SafetensorsFile f = SafetensorsFile.open(file);
        Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
        for (String name : f.names()) {
            owner.put(name, f);
        }
        return new ShardedCheckpoint(file, List.of(f), owner, f.metadata());
    }

    private static ShardedCheckpoint openIndex(Path index) {
        JsonNode root = readIndex(index);
        JsonNode weightMap = root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new SafetensorsException(index, "index needs a weight_map object (tensor name -> shard file), "
                    + (weightMap == null ? "it is missing" : "found " + weightMap.getNodeType().toString().toLowerCase()));
        }
        Map<String, String> metadata = readIndexMetadata(index, root.get("metadata"));
        Path folder = index.toAbsolutePath().getParent();
        // shard file name -> tensors the index puts there; shards sorted by name (HF numbers them 00001-of-N)
        Map<String, List<String>> wanted = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
            if (!e.getValue().isTextual()) {
                throw new SafetensorsException(index, "weight_map entry " + SafetensorsException.quote(e.getKey())
                        + " must name a shard file (a string)");
            }
            wanted.computeIfAbsent(e.getValue().textValue(), k -> new ArrayList<>()).add(e.getKey());
        }
        List<SafetensorsFile> opened = new ArrayList<>();
        Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, List<String>> e : wanted.entrySet()) {
                Path shardPath = shardPath(index, folder, e.getKey());
                SafetensorsFile shard = SafetensorsFile.open(shardPath);
                opened.add(shard);
                for (String name : e.getValue()) {
                    if (!shard.contains(name)) {
                        throw new SafetensorsException(index, "weight_map puts tensor " + SafetensorsException.quote(name)
                                + " in shard " + e.getKey() + ", which does not contain it");
                    }
                }
                java.util.Set<String> inThisShard = new java.util.HashSet<>(e.getValue());
                for (String name : shard.names()) { // file order within each shard
                    if (inThisShard.contains(name)) {
                        owner.put(name, shard);
                    }
                }
            }
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
        return new ShardedCheckpoint(index, Collections.unmodifiableList(opened), owner, metadata);
    }

    private static Path shardPath(Path index, Path folder, String shardName) {
        Path p = folder.resolve(shardName).normalize();
        if (shardName.isEmpty() || !folder.equals(p.getParent())) {
            throw new SafetensorsException(index, "weight_map names shard " + SafetensorsException.quote(shardName)
                    + "; shard names must be plain file names in the index's folder");
        }
        if (!Files.isRegularFile(p)) {
            throw new SafetensorsException(index, "weight_map names shard file " + shardName + ", which does not exist in "
                    + folder);
        }
        return p;
    }

    private static JsonNode readIndex(Path index) {
        try {
            if (!Files.isRegularFile(index)) {
                throw new SafetensorsException(index, "index file not found");
            }
            if (Files.size(index) > MAX_INDEX_BYTES) {
                throw new SafetensorsException(index, "index file is " + Files.size(index)
                        + " bytes; that is not a shard index");
            }
            JsonNode root = JSON.readTree(Files.readAllBytes(index));
            if (root == null || !root.isObject()) {
                throw new SafetensorsException(index, "index is not a JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(index, "index is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new SafetensorsException(index, "cannot read index: " + e.getMessage(), e);
        }
    }

    /** An index's metadata ({@code total_size} is a number in HF files) as strings, like a file's metadata. */
    private static Map<String, String> readIndexMetadata(Path index, JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new SafetensorsException(index, "index field metadata must be an object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            out.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString());
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public Path path() {
        return source;
    }

    /** The files behind this view (one for a single file). */
    public List<Path> files() {
        List<Path> out = new ArrayList<>();
        for (SafetensorsFile s : shards) {
            out.add(s.path());
        }
        return out;
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public boolean contains(String name) {
        return owner.containsKey(name);
    }

    private SafetensorsFile shardOf(String name) {
        SafetensorsFile f = owner.get(name);
        if (f == null) {
            throw new SafetensorsException(source, "no tensor " + SafetensorsException.quote(name) + " in this checkpoint ("
                    + names.size() + " tensors)");
        }
        return f;
    }

    @Override
    public TensorInfo info(String name) {
        return shardOf(name).info(name);
    }

    @Override
    public Path fileOf(String name) {
        return shardOf(name).path();
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public ByteBuffer rawBytes(String name) {
        return shardOf(name).rawBytes(name);
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }
}
