package io.moslora.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code moslora inspect}: what a safetensors file (or shard set) holds, without reading any tensor data. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = {
            "List every tensor's name, dtype and shape, and the metadata, of a safetensors file.",
            "FILE may also be a model.safetensors.index.json or a checkpoint folder (all shards are listed).",
            "A malformed file gives a one-line error and exit code 1."
        })
public final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "A .safetensors file, a shard index or a checkpoint folder.")
    Path file;

    @Option(names = "--json", description = "Print one JSON object {\"tensors\":[{\"name\",\"dtype\",\"shape\"}],\"metadata\":{}}.")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (ShardedCheckpoint checkpoint = ShardedCheckpoint.open(file)) {
            if (json) {
                out.println(toJson(checkpoint));
            } else {
                printTable(checkpoint, out);
            }
        }
        out.flush();
        return 0;
    }

    static String toJson(TensorReader reader) {
        JsonMapper mapper = new JsonMapper();
        ObjectNode root = mapper.createObjectNode();
        ArrayNode tensors = root.putArray("tensors");
        for (String name : reader.names()) {
            TensorInfo t = reader.info(name);
            ObjectNode entry = tensors.addObject();
            entry.put("name", name);
            entry.put("dtype", t.dtype().safetensorsName());
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
        }
        ObjectNode metadata = root.putObject("metadata");
        reader.metadata().forEach(metadata::put);
        try {
            return mapper.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void printTable(TensorReader reader, PrintWriter out) {
        int nameWidth = 4;
        long elements = 0;
        long bytes = 0;
        for (String name : reader.names()) {
            nameWidth = Math.max(nameWidth, name.length());
            TensorInfo t = reader.info(name);
            elements += t.numel();
            bytes += t.byteSize();
        }
        out.println(reader.path());
        out.printf("%d tensors, %,d elements, %,d bytes of data%n", reader.names().size(), elements, bytes);
        if (!reader.metadata().isEmpty()) {
            out.println("metadata:");
            for (Map.Entry<String, String> e : reader.metadata().entrySet()) {
                out.println("  " + e.getKey() + " = " + e.getValue());
            }
        }
        out.printf("%-" + nameWidth + "s  %-5s  %s%n", "name", "dtype", "shape");
        for (String name : reader.names()) {
            TensorInfo t = reader.info(name);
            out.printf("%-" + nameWidth + "s  %-5s  %s%n", name, t.dtype().safetensorsName(), Arrays.toString(t.shape()));
        }
    }
}
