package io.moslora.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedCheckpointTest {
    @TempDir Path dir;

    /** Five F32 tensors of 16, 16, 40, 8 and 8 bytes; values encode the tensor index and position. */
    private static SafetensorsWriter fiveTensors() {
        SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
        int[] lengths = {4, 4, 10, 2, 2};
        String[] names = {"model.embed.weight", "model.layers.0.q.weight", "lm_head.weight", "model.norm.weight",
            "model.layers.0.k.weight"};
        for (int t = 0; t < names.length; t++) {
            float[] v = new float[lengths[t]];
            for (int i = 0; i < v.length; i++) {
                v[i] = t * 100 + i;
            }
            w.addFloats(names[t], new long[] {lengths[t]}, v, DType.F32);
        }
        return w;
    }

    private static List<String> fileNames(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void splitsLikeHuggingFaceAndWritesTheIndex() throws IOException {
        // limit 32: the 40-byte tensor is over the limit and, exactly as in huggingface_hub's splitter, becomes a
        // shard of its own at once, ahead of the still-open [16,16] shard; then [8,8]
        List<String> progress = new java.util.ArrayList<>();
        SafetensorsWriter tensors = fiveTensors();
        assertThat(tensors.totalBytes()).isEqualTo(88);
        List<Path> written = ShardedCheckpointWriter.write(tensors, dir, "model", 32,
                (t, bytes) -> progress.add(t.name() + ":" + bytes));
        // shard order: lm_head (own shard) first, then the other two shards
        assertThat(progress).containsExactly("lm_head.weight:40", "model.embed.weight:16", "model.layers.0.q.weight:16",
                "model.norm.weight:8", "model.layers.0.k.weight:8");
        assertThat(fileNames(dir)).containsExactly("model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                "model-00003-of-00003.safetensors", "model.safetensors.index.json");
        assertThat(written).hasSize(4);

        JsonNode index = new ObjectMapper().readTree(dir.resolve("model.safetensors.index.json").toFile());
        assertThat(index.get("metadata").get("total_size").asLong()).isEqualTo(88);
        assertThat(index.get("weight_map").toString()).isEqualTo("{\"lm_head.weight\":\"model-00001-of-00003.safetensors\","
                + "\"model.embed.weight\":\"model-00002-of-00003.safetensors\","
                + "\"model.layers.0.k.weight\":\"model-00003-of-00003.safetensors\","
                + "\"model.layers.0.q.weight\":\"model-00002-of-00003.safetensors\","
                + "\"model.norm.weight\":\"model-00003-of-00003.safetensors\"}");

        try (ShardedCheckpoint c = ShardedCheckpoint.open(dir)) {
            assertThat(c.path()).isEqualTo(dir.resolve("model.safetensors.index.json"));
            assertThat(c.names()).containsExactly("lm_head.weight", "model.embed.weight", "model.layers.0.q.weight",
                    "model.norm.weight", "model.layers.0.k.weight");
            assertThat(c.metadata()).containsEntry("total_size", "88");
            assertThat(c.readFloats("lm_head.weight")).containsExactly(200, 201, 202, 203, 204, 205, 206, 207, 208, 209);
            assertThat(c.readFloats("model.layers.0.k.weight")).containsExactly(400, 401);
            assertThat(c.fileOf("model.norm.weight").getFileName().toString()).isEqualTo("model-00003-of-00003.safetensors");
            try (SafetensorsFile shard = SafetensorsFile.open(c.fileOf("lm_head.weight"))) {
                assertThat(shard.metadata()).containsEntry("format", "pt");
            }
            assertThatThrownBy(() -> c.info("missing.weight")).isInstanceOf(SafetensorsException.class)
                    .hasMessage(dir.resolve("model.safetensors.index.json") + ": no tensor 'missing.weight' in this "
                            + "checkpoint (5 tensors)");
        }
    }

    @Test
    void everythingInOneShardIsAPlainFileAndOldShardsAreRemoved() throws IOException {
        ShardedCheckpointWriter.write(fiveTensors(), dir, "model", 32);
        ShardedCheckpointWriter.write(fiveTensors(), dir, "model", 1 << 20);
        assertThat(fileNames(dir)).containsExactly("model.safetensors");
        try (ShardedCheckpoint c = ShardedCheckpoint.open(dir)) {
            assertThat(c.names()).hasSize(5);
            assertThat(c.metadata()).containsExactly(java.util.Map.entry("format", "pt"));
            assertThat(c.readFloats("model.embed.weight")).containsExactly(0, 1, 2, 3);
        }
        ShardedCheckpointWriter.write(fiveTensors(), dir, "model", 56);
        assertThat(fileNames(dir)).containsExactly("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                "model.safetensors.index.json");
    }

    @Test
    void aSingleFileOpensThroughTheSameView() {
        Path file = dir.resolve("adapter_model.safetensors");
        fiveTensors().write(file);
        try (ShardedCheckpoint c = ShardedCheckpoint.open(file)) {
            assertThat(c.files()).containsExactly(file);
            assertThat(c.readFloats("model.norm.weight")).containsExactly(300, 301);
        }
    }

    @Test
    void brokenShardSetsNameTheIndexAndWhatIsMissing() throws IOException {
        ShardedCheckpointWriter.write(fiveTensors(), dir, "model", 32);
        Path index = dir.resolve("model.safetensors.index.json");
        String good = Files.readString(index);

        Files.writeString(index, good.replace("\"lm_head.weight\" : \"model-00001-of-00003.safetensors\"",
                "\"lm_head.weight\" : \"model-00003-of-00003.safetensors\""));
        assertThatThrownBy(() -> ShardedCheckpoint.open(index)).isInstanceOf(SafetensorsException.class)
                .hasMessage(index + ": weight_map puts tensor 'lm_head.weight' in shard model-00003-of-00003.safetensors,"
                        + " which does not contain it");

        Files.writeString(index, good);
        Files.delete(dir.resolve("model-00002-of-00003.safetensors"));
        assertThatThrownBy(() -> ShardedCheckpoint.open(dir)).isInstanceOf(SafetensorsException.class)
                .hasMessageStartingWith(index + ": ")
                .hasMessageContaining("weight_map names shard file model-00002-of-00003.safetensors, which does not exist");

        Files.writeString(index, good.replace("model-00001-of-00003.safetensors", "../escape.safetensors"));
        assertThatThrownBy(() -> ShardedCheckpoint.open(index)).isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("shard names must be plain file names");

        Files.writeString(index, "{\"metadata\":{}}");
        assertThatThrownBy(() -> ShardedCheckpoint.open(index)).isInstanceOf(SafetensorsException.class)
                .hasMessage(index + ": index needs a weight_map object (tensor name -> shard file), it is missing");

        Files.writeString(index, "{\"weight_map\":");
        assertThatThrownBy(() -> ShardedCheckpoint.open(index)).isInstanceOf(SafetensorsException.class)
                .hasMessageStartingWith(index + ": index is not valid JSON");

        Files.writeString(index, "{\"weight_map\":{\"a\":7}}");
        assertThatThrownBy(() -> ShardedCheckpoint.open(index)).isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("weight_map entry 'a' must name a shard file");

        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThatThrownBy(() -> ShardedCheckpoint.open(empty)).isInstanceOf(SafetensorsException.class)
                .hasMessage(empty + ": folder holds neither model.safetensors nor model.safetensors.index.json");
    }

    @Test
    void aDamagedShardIsNamedItself() throws IOException {
        ShardedCheckpointWriter.write(fiveTensors(), dir, "model", 32);
        Path shard = dir.resolve("model-00003-of-00003.safetensors");
        byte[] bytes = Files.readAllBytes(shard);
        Files.write(shard, java.util.Arrays.copyOf(bytes, bytes.length - 4));
        assertThatThrownBy(() -> ShardedCheckpoint.open(dir)).isInstanceOf(SafetensorsException.class)
                .hasMessageStartingWith(shard + ": tensor 'model.layers.0.k.weight'");
    }
}
