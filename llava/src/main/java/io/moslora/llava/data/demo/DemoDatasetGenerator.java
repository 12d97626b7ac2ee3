package io.moslora.llava.data.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moslora.io.AtomicFiles;
import io.moslora.llava.tokenizer.ImageTokens;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * Writes the demo's visual-instruction data set: {@code images/*.png}, {@code train.json} and
 * {@code heldout.json} in LLaVA's format (short answers; a share of multiple-choice prompts answered by a
 * letter), and {@code heldout_mcq.tsv}, the held-out split as a VLMEvalKit MCQ table with base64 PNGs.
 * The same seed gives byte-identical files.
 */
public final class DemoDatasetGenerator {
    public static final String TRAIN_JSON = "train.json";
    public static final String HELDOUT_JSON = "heldout.json";
    public static final String HELDOUT_TSV = "heldout_mcq.tsv";
    public static final String IMAGES = "images";
    public static final List<String> TSV_COLUMNS = List.of("index", "image", "question", "A", "B", "C", "D", "answer", "category");

    /** What to generate. {@code mcqShare}: fraction of training samples asked as multiple choice. */
    public record Options(int trainCount, int heldOutCount, int imageSize, long seed, double mcqShare, boolean progress) {
        public Options {
            if (trainCount < 0 || heldOutCount < 0) {
                throw new IllegalArgumentException("sample counts must not be negative");
            }
            if (imageSize < 16) {
                throw new IllegalArgumentException("image size must be at least 16, got " + imageSize);
            }
            if (mcqShare < 0 || mcqShare > 1) {
                throw new IllegalArgumentException("mcq share must be within [0, 1], got " + mcqShare);
            }
        }
    }

    private DemoDatasetGenerator() {}

    public static void generate(Path outDir, Options o) {
        ObjectMapper json = new ObjectMapper();
        // Separate streams per split, so changing one split's size leaves the other's samples unchanged.
        ArrayNode train = split(outDir, "train", o.trainCount(), new Random(o.seed()), o, json, null);
        StringBuilder tsv = new StringBuilder(String.join("\t", TSV_COLUMNS)).append('\n');
        ArrayNode heldOut = split(outDir, "heldout", o.heldOutCount(), new Random(o.seed() ^ 0x5DEECE66DL), o, json, tsv);
        try {
            AtomicFiles.writeString(outDir.resolve(TRAIN_JSON), json.writerWithDefaultPrettyPrinter().writeValueAsString(train));
            AtomicFiles.writeString(outDir.resolve(HELDOUT_JSON), json.writerWithDefaultPrettyPrinter().writeValueAsString(heldOut));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AtomicFiles.writeString(outDir.resolve(HELDOUT_TSV), tsv.toString());
    }

    private static ArrayNode split(Path outDir, String name, int count, Random rnd, Options o, ObjectMapper json, StringBuilder tsv) {
        ArrayNode records = json.createArrayNode();
        ProgressBar bar = o.progress() ? new ProgressBarBuilder().setTaskName("demo " + name).setInitialMax(count).build() : null;
        try {
            for (int i = 0; i < count; i++) {
                ShapeScene scene = ShapeScene.random(rnd, o.imageSize());
                DemoQuestion.Category cat = DemoQuestion.Category.values()[i % DemoQuestion.Category.values().length];
                DemoQuestion q = DemoQuestion.ask(scene, cat);
                List<String> order = q.shuffledOptions(rnd);
                boolean mcq = tsv == null && rnd.nextDouble() < o.mcqShare();
                String id = String.format(java.util.Locale.ROOT, "%s_%05d", name, i);
                String file = id + ".png";
                byte[] png = png(scene.draw());
                AtomicFiles.writeBytes(outDir.resolve(IMAGES).resolve(file), png);

                ObjectNode r = records.addObject();
                r.put("id", id);
                r.put("image", file);
                r.put("category", cat.word());
                ArrayNode conv = r.putArray("conversations");
                String prompt = mcq ? q.mcqPrompt(order) : q.question() + "\n" + DemoQuestion.SHORT_SUFFIX;
                conv.addObject().put("from", "human").put("value", ImageTokens.IMAGE_PLACEHOLDER + "\n" + prompt);
                conv.addObject().put("from", "gpt").put("value", mcq ? DemoQuestion.letter(order, q.answer()) : q.answer());
                if (tsv != null) {
                    tsv.append(i).append('\t').append(Base64.getEncoder().encodeToString(png)).append('\t').append(q.question());
                    order.forEach(opt -> tsv.append('\t').append(opt));
                    tsv.append('\t').append(DemoQuestion.letter(order, q.answer())).append('\t').append(cat.word()).append('\n');
                }
                if (bar != null) {
                    bar.step();
                }
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        return records;
    }

    static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
