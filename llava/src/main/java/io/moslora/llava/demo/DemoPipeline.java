package io.moslora.llava.demo;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.moslora.io.AtomicFiles;
import io.moslora.llava.data.LlavaJsonReader;
import io.moslora.llava.data.demo.DemoDatasetGenerator;
import io.moslora.llava.model.LlavaModel;
import io.moslora.llava.template.ChatTemplate;
import io.moslora.llava.template.ChatTemplates;
import io.moslora.llava.tokenizer.TextTokenizer;
import io.moslora.llava.train.LlavaTrainConfig;
import io.moslora.llava.train.LlavaTrainer;
import io.moslora.llava.train.TrainedLlava;
import io.moslora.train.LossCurve;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The embedded demo, end to end with nothing downloaded: synthetic shape data → a tiny LLaVA pre-trained here from
 * seeded random weights on three of the four question kinds (colour, shape, count) → fine-tuned on all four
 * (position is new) with MoSLoRA and with LoRA → every model asked the held-out questions.
 */
public final class DemoPipeline {
    /** The question kind the base never sees, so the fine-tunes have something new to learn. */
    public static final String NEW_CATEGORY = "position";
    public static final String TEMPLATE = "internlm2_chat";
    /** Learning rates of the two stages (all weights; then adapters + projector), chosen by the runs in the README. */
    static final double PRETRAIN_LR = 1e-3;
    static final double FINETUNE_LR = 3e-3;

    /** Sizes of the run; {@link #standard()} is what {@code ./moslora demo} uses. */
    public record Options(int trainSamples, int heldOutSamples, long pretrainSteps, long finetuneSteps, int batchSize,
            int rank, long seed, boolean progress) {
        /**
         * Measured choice: 1,500 pre-training steps at lr 3e-3 left a base that barely looked at the image (colour
         * 54 %) and fine-tunes that answered "left" to every position question; 3,000 at 1e-3 and fine-tunes of 600
         * at 3e-3 give a base that reads colour and count and fine-tunes that learn position (README).
         */
        public static Options standard() {
            return new Options(2000, 200, 3000, 600, 16, 8, 7, true);
        }
    }

    /** One row of the comparison table. */
    public record Row(String variant, HeldOutEvaluation.Score score, long trainableParameters, double trainSeconds,
            double peakMemoryMiB, String note) {}

    public record Report(List<Row> rows, double chance, int heldOut, double wallSeconds, Path outDir) {}

    private DemoPipeline() {}

    public static Report run(Path out, Options o, PrintWriter log) {
        long t0 = System.nanoTime();
        Path data = out.resolve("data");
        log.println("demo: generating " + o.trainSamples() + " training and " + o.heldOutSamples()
                + " held-out shape questions in " + data);
        log.flush();
        DemoDatasetGenerator.generate(data, new DemoDatasetGenerator.Options(o.trainSamples(), o.heldOutSamples(), 32,
                o.seed(), 0.0, o.progress()));
        // one vocabulary for every stage, from all training text: the base must know the words of the new kind too
        Path vocabulary = WordLevelTokenizerFile.write(out.resolve("tokenizer.json"), WordLevelTokenizerFile.vocabulary(
                LlavaJsonReader.read(data.resolve(DemoDatasetGenerator.TRAIN_JSON)).records()));
        Path pretrainJson = withoutCategory(data.resolve(DemoDatasetGenerator.TRAIN_JSON), data.resolve("pretrain.json"));

        List<String> common = List.of("image_folder=" + data.resolve(DemoDatasetGenerator.IMAGES), "template=" + TEMPLATE,
                "batch_size=" + o.batchSize(), "grad_accum=1", "seed=" + o.seed(), "max_length=64");
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        List<Row> rows = new ArrayList<>();

        log.println("demo: pre-training the tiny base (all weights, from seeded random init) on colour/shape/count");
        log.flush();
        LlavaTrainConfig base = LlavaTrainConfig.preset("tiny", concat(common, "data_path=" + pretrainJson,
                "output_dir=" + out.resolve("base"), "max_steps=" + o.pretrainSteps(), "lr=" + PRETRAIN_LR, "warmup_ratio=0.05",
                "train_base=true", "tokenizer=" + vocabulary));
        LlavaTrainer.Result baseRun = LlavaTrainer.run(base, false, o.progress(), log);
        curves.put("pre-train (full)", baseRun.training().losses());
        Path baseModel = out.resolve("base").resolve(LlavaTrainer.MODEL);
        Path tokenizer = baseModel.resolve(LlavaTrainer.TOKENIZER);

        record Variant(String name, String kind, String quantization, String note) {}
        List<Variant> variants = List.of(
                new Variant("QMoSLoRA", "moslora", "nf4", "LLM decoder layers NF4 + double quant, frozen"),
                new Variant("LoRA", "lora", "none", "fp32 base"));
        Map<String, LlavaTrainer.Result> runs = new LinkedHashMap<>();
        for (Variant v : variants) {
            log.println("demo: fine-tuning with " + v.name() + " (LLM and vision adapters r=" + o.rank() + ", projector)");
            log.flush();
            LlavaTrainConfig c = LlavaTrainConfig.preset("tiny", concat(common,
                    "data_path=" + data.resolve(DemoDatasetGenerator.TRAIN_JSON), "model=" + baseModel, "tokenizer=" + tokenizer,
                    "output_dir=" + out.resolve(v.name().toLowerCase(Locale.ROOT)), "max_steps=" + o.finetuneSteps(),
                    "lr=" + FINETUNE_LR, "llm_adapter.kind=" + v.kind(), "vision_adapter.kind=" + v.kind(),
                    "llm_adapter.r=" + o.rank(), "vision_adapter.r=" + o.rank(), "llm_adapter.alpha=" + 2 * o.rank(),
                    "vision_adapter.alpha=" + 2 * o.rank(), "llm_quantization=" + v.quantization()));
            LlavaTrainer.Result r = LlavaTrainer.run(c, false, o.progress(), log);
            runs.put(v.name(), r);
            curves.put(v.name(), r.training().losses());
        }

        Path imageRoot = data.resolve(DemoDatasetGenerator.IMAGES);
        List<HeldOutEvaluation.Question> heldOut = HeldOutEvaluation.read(data.resolve(DemoDatasetGenerator.HELDOUT_JSON), imageRoot);
        List<HeldOutEvaluation.Question> train = HeldOutEvaluation.read(data.resolve(DemoDatasetGenerator.TRAIN_JSON), imageRoot);
        double chance = HeldOutEvaluation.chance(heldOut, train);
        log.println("demo: asking every model the " + heldOut.size() + " held-out questions");
        log.flush();
        try (TextTokenizer tok = TextTokenizer.open(tokenizer); NDManager m = NDManager.newBaseManager()) {
            ChatTemplate template = ChatTemplates.named(TEMPLATE, tokenizer);
            try (NDManager bm = m.newSubManager()) {
                LlavaModel model = io.moslora.llava.model.LlavaLoader.load(baseModel, bm, ai.djl.ndarray.types.DataType.FLOAT32);
                rows.add(new Row("base (no fine-tune)", HeldOutEvaluation.evaluate(model, tok, template, heldOut, bm),
                        0, 0, Double.NaN, "pre-trained without position questions: "
                        + baseRun.training().losses().size() + " steps, " + String.format(Locale.ROOT, "%.0f s", baseRun.training().seconds())));
            }
            for (Variant v : variants) {
                LlavaTrainer.Result r = runs.get(v.name());
                try (NDManager vm = m.newSubManager()) {
                    LlavaModel model = TrainedLlava.load(baseModel, r.outputDir(), vm);
                    rows.add(new Row(v.name(), HeldOutEvaluation.evaluate(model, tok, template, heldOut, vm),
                            r.trainableParameters(), r.training().seconds(), r.peakMemoryMiB(), v.note()));
                }
            }
        }
        LossCurve.writePng(out.resolve("loss_curves.png"), "demo: training loss", curves);
        Report report = new Report(rows, chance, heldOut.size(), (System.nanoTime() - t0) / 1e9, out);
        AtomicFiles.writeString(out.resolve("report.md"), DemoReport.markdown(report, o));
        return report;
    }

    /** The training file without the new category's questions (what the base is pre-trained on). */
    static Path withoutCategory(Path trainJson, Path target) {
        ObjectMapper json = new ObjectMapper();
        try {
            ArrayNode kept = json.createArrayNode();
            for (JsonNode r : json.readTree(trainJson.toFile())) {
                if (!NEW_CATEGORY.equals(r.path("category").asText())) {
                    kept.add(r);
                }
            }
            AtomicFiles.writeString(target, json.writerWithDefaultPrettyPrinter().writeValueAsString(kept));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }
}
