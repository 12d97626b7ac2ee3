package io.moslora.llava.merge;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.moslora.adapters.cli.ByteSizes;
import io.moslora.cli.UserError;
import io.moslora.io.AtomicFiles;
import io.moslora.io.AtomicFolder;
import io.moslora.llava.train.LlavaTrainConfig;
import io.moslora.llava.train.LlavaTrainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./moslora llava merge}: a base LLaVA plus a {@code llava train} output → one llava-hf checkpoint. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Fold a llava train output (LLM + vision adapters, trained projector) into its base and write a "
                + "complete llava-hf checkpoint (config.json, model.safetensors or shards + index, tokenizer files).",
            "The base is --model (llava-hf, either key layout), XTuner's --llm/--visual-encoder/--projector, or, with "
                + "neither, the base named in the run's train_config.json (also the seeded tiny model).",
            "QMoSLoRA runs (llm_quantization: nf4) are merged onto the NF4-dequantized LLM weights the adapter was "
                + "trained against; the result is dense, in the base's dtype.",
            "Nothing is written to --out unless the whole merge succeeds."})
public final class MergeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "base: a llava-hf checkpoint folder")
    Path model;

    @Option(names = "--llm", paramLabel = "DIR", description = "base, XTuner: the language model's folder")
    Path llm;

    @Option(names = "--visual-encoder", paramLabel = "DIR", description = "base, XTuner: the CLIP folder")
    Path visualEncoder;

    @Option(names = "--projector", paramLabel = "PATH", description = "base, XTuner: the projector's folder or file")
    Path projector;

    @Option(names = "--adapter", required = true, paramLabel = "DIR",
            description = "a llava train output folder (or one PEFT adapter folder)")
    Path adapter;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "new folder for the merged checkpoint")
    Path out;

    @Option(names = "--max-shard-size", defaultValue = "5GB", description = "largest shard (default: ${DEFAULT-VALUE})")
    String maxShardSize;

    @Option(names = "--image-token-index", defaultValue = "" + MergeBase.LLAVA_HF_IMAGE_TOKEN,
            description = "config's image_token_index for an XTuner base (default: ${DEFAULT-VALUE}, llava-hf's)")
    int imageTokenIndex;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @Override
    public Integer call() {
        checkOptions();
        long maxShard = ByteSizes.parse(maxShardSize, "--max-shard-size");
        AtomicReference<LlavaMerge.Summary> summary = new AtomicReference<>();
        try (MergeDelta delta = MergeDelta.open(adapter)) {
            AtomicFolder.write(out, tmp -> {
                Path scratch = tmp.resolve(".base");
                try (MergeBase base = openBase(delta, scratch)) {
                    summary.set(LlavaMerge.write(base, delta, tmp, maxShard, !noProgress));
                    AtomicFiles.writeString(tmp.resolve("config.json"), JsonMapper.builder()
                            .enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(base.configJson()) + "\n");
                    SideFiles.copy(sideFileSources(delta, base), tmp);
                } finally {
                    AtomicFolder.deleteTree(scratch);
                }
            });
        }
        LlavaMerge.Summary s = summary.get();
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "llava merge: %d tensors (%d adapted weights%s) in %d shard(s) -> %s%n", s.tensors(),
                s.adaptedWeights(), s.nf4RoundTrips() > 0 ? ", " + s.nf4RoundTrips() + " LLM weights on their NF4 values"
                        : "", s.shards(), out);
        o.flush();
        return 0;
    }

    private void checkOptions() {
        boolean parts = llm != null || visualEncoder != null || projector != null;
        if (model != null && parts) {
            throw new UserError("give either --model DIR (llava-hf) or --llm, --visual-encoder and --projector (XTuner), not both");
        }
        if (parts && (llm == null || visualEncoder == null || projector == null)) {
            throw new UserError("XTuner bases need all three of --llm, --visual-encoder and --projector");
        }
        if (model != null && !Files.isDirectory(model)) {
            throw new UserError(model + ": base model folder not found (--model)");
        }
        if (Files.exists(out) && !isEmptyFolder(out)) {
            throw new UserError(out + ": already exists (--out); choose a new folder or remove it");
        }
    }

    private static boolean isEmptyFolder(Path p) {
        try (var entries = Files.list(p)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /** The base the options name, else the one the run was trained from (the tiny model is rebuilt from its seed). */
    private MergeBase openBase(MergeDelta delta, Path scratch) {
        if (model != null) {
            return MergeBase.llavaHf(model);
        }
        if (llm != null) {
            return MergeBase.xtuner(llm, visualEncoder, projector, imageTokenIndex);
        }
        LlavaTrainConfig c = delta.runConfig();
        if (c == null) {
            throw new UserError(adapter + ": a single PEFT adapter does not say its base; give --model or --llm/--visual-encoder/--projector");
        }
        if (LlavaTrainer.TINY_MODEL.equals(c.model())) {
            try (NDManager m = NDManager.newBaseManager()) {
                LlavaTrainer.saveModel(LlavaTrainer.baseModel(c, m), c, delta.runDir().resolve(LlavaTrainer.TOKENIZER),
                        scratch);
            }
            return MergeBase.llavaHf(scratch);
        }
        if (c.model() != null) {
            return MergeBase.llavaHf(Path.of(c.model()));
        }
        return MergeBase.xtuner(Path.of(c.llm()), Path.of(c.visionTower()), Path.of(c.projector()), imageTokenIndex);
    }

    /** Where the tokenizer and friends come from, first wins: the run (the tokenizer it trained with), then the base. */
    private static List<Path> sideFileSources(MergeDelta delta, MergeBase base) {
        List<Path> sources = new ArrayList<>();
        if (delta.runDir() != null) {
            sources.add(delta.runDir().resolve(LlavaTrainer.TOKENIZER));
            sources.add(delta.runDir().resolve(LlavaTrainer.RESOLVED_CONFIG));
            String tok = delta.runConfig().tokenizer();
            if (tok != null && !LlavaTrainer.DEMO_TOKENIZER.equals(tok) && !LlavaTrainer.TINY_MODEL.equals(tok)) {
                sources.add(Path.of(tok));
            }
        }
        sources.addAll(base.sideFileFolders());
        return sources;
    }
}
