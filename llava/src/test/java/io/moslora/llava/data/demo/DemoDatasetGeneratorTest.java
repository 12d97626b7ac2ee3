package io.moslora.llava.data.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.llava.data.DataScan;
import io.moslora.llava.data.LlavaRecord;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoDatasetGeneratorTest {
    static final DemoDatasetGenerator.Options OPTIONS = new DemoDatasetGenerator.Options(40, 12, 48, 7L, 0.3, false);

    @Test
    void sameSeedGivesIdenticalFiles(@TempDir Path a, @TempDir Path b) throws Exception {
        DemoDatasetGenerator.generate(a, OPTIONS);
        DemoDatasetGenerator.generate(b, OPTIONS);
        for (String f : List.of("train.json", "heldout.json", "heldout_mcq.tsv", "images/train_00007.png", "images/heldout_00011.png")) {
            assertThat(Files.readAllBytes(a.resolve(f))).as(f).isEqualTo(Files.readAllBytes(b.resolve(f)));
        }
        Path c = a.resolveSibling(a.getFileName() + "-other");
        DemoDatasetGenerator.generate(c, new DemoDatasetGenerator.Options(40, 12, 48, 8L, 0.3, false));
        assertThat(Files.readString(c.resolve("train.json"))).isNotEqualTo(Files.readString(a.resolve("train.json")));
    }

    /** Answers checked against the pixels themselves, not the generator's bookkeeping. */
    @Test
    void everyAnswerIsTrueOfItsPicture(@TempDir Path dir) throws Exception {
        DemoDatasetGenerator.generate(dir, OPTIONS);
        DataScan.Report report = DataScan.scan(dir.resolve("train.json"), dir.resolve("images"), false);
        assertThat(report.bad()).isEmpty();
        assertThat(report.good()).hasSize(40);
        int mcq = 0;
        for (LlavaRecord r : report.good()) {
            BufferedImage img = ImageIO.read(dir.resolve("images").resolve(r.image().orElseThrow()).toFile());
            String q = r.conversations().get(0).text();
            String given = r.conversations().get(1).text();
            String a = given;
            assertThat(q).startsWith("<image>\n");
            if (q.contains("\nA. ")) {
                mcq++;
                String line = q.lines().filter(l -> l.startsWith(given + ". ")).findFirst().orElseThrow();
                a = line.substring(3);
            }
            if (q.contains("colour")) {
                assertThat(colourOf(img)).as(r.id()).isEqualTo(a);
            } else if (q.contains("How many")) {
                assertThat(Integer.toString(components(img))).as(r.id()).isEqualTo(a);
            } else if (q.contains("left or the right")) {
                assertThat(side(img)).as(r.id()).isEqualTo(a);
            } else {
                assertThat(q).contains("What shape");
                assertThat(kindOf(img)).as(r.id()).isEqualTo(a);
            }
        }
        assertThat(mcq).isBetween(4, 24);
    }

    @Test
    void heldOutTsvIsAVlmEvalKitMcqTable(@TempDir Path dir) throws Exception {
        DemoDatasetGenerator.generate(dir, OPTIONS);
        List<String> lines = Files.readAllLines(dir.resolve("heldout_mcq.tsv"));
        assertThat(lines.get(0)).isEqualTo("index\timage\tquestion\tA\tB\tC\tD\tanswer\tcategory");
        assertThat(lines).hasSize(13);
        JsonNode heldOut = new ObjectMapper().readTree(dir.resolve("heldout.json").toFile());
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split("\t", -1);
            assertThat(f).hasSize(9);
            assertThat(f[0]).isEqualTo(Integer.toString(i - 1));
            byte[] png = java.util.Base64.getDecoder().decode(f[1]);
            assertThat(png).isEqualTo(Files.readAllBytes(dir.resolve("images").resolve(String.format("heldout_%05d.png", i - 1))));
            assertThat(ImageIO.read(new ByteArrayInputStream(png)).getWidth()).isEqualTo(48);
            int answerColumn = 3 + (f[7].charAt(0) - 'A');
            String shortAnswer = heldOut.get(i - 1).path("conversations").get(1).path("value").asText();
            assertThat(f[answerColumn]).isEqualTo(shortAnswer);
            assertThat(f[8]).isEqualTo(heldOut.get(i - 1).path("category").asText());
        }
    }

    private static boolean white(int rgb) {
        return (rgb & 0xFFFFFF) == 0xFFFFFF;
    }

    private static String colourOf(BufferedImage img) {
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                if (!white(rgb)) {
                    for (ShapeScene.Palette p : ShapeScene.Palette.values()) {
                        if ((p.rgb.getRGB() & 0xFFFFFF) == (rgb & 0xFFFFFF)) {
                            return p.word();
                        }
                    }
                    return "unknown";
                }
            }
        }
        return "none";
    }

    private static String side(BufferedImage img) {
        int left = 0;
        int right = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if (!white(img.getRGB(x, y))) {
                    if (x < img.getWidth() / 2) {
                        left++;
                    } else {
                        right++;
                    }
                }
            }
        }
        return left > 0 && right == 0 ? "left" : right > 0 && left == 0 ? "right" : "mixed";
    }

    /** The kind from how much of its bounding box one shape fills: square 1, circle ~pi/4, triangle ~1/2. */
    private static String kindOf(BufferedImage img) {
        int[] c = component(img, firstNonWhite(img));
        double ratio = c[0] / ((double) c[1] * c[2]);
        return ratio > 0.95 ? "square" : ratio > 0.66 ? "circle" : "triangle";
    }

    private static int firstNonWhite(BufferedImage img) {
        for (int p = 0; p < img.getWidth() * img.getHeight(); p++) {
            if (!white(img.getRGB(p % img.getWidth(), p / img.getWidth()))) {
                return p;
            }
        }
        throw new AssertionError("blank picture");
    }

    /** Pixel count, width and height of the 4-connected non-white component holding pixel {@code start}. */
    private static int[] component(BufferedImage img, int start) {
        int w = img.getWidth();
        boolean[] seen = new boolean[w * img.getHeight()];
        return flood(img, start, seen);
    }

    private static int[] flood(BufferedImage img, int start, boolean[] seen) {
        int w = img.getWidth();
        int h = img.getHeight();
        int minX = w, minY = h, maxX = -1, maxY = -1, n = 0;
        ArrayDeque<Integer> queue = new ArrayDeque<>(List.of(start));
        seen[start] = true;
        while (!queue.isEmpty()) {
            int p = queue.poll();
            int x = p % w;
            int y = p / w;
            n++;
            minX = Math.min(minX, x);
            maxX = Math.max(maxX, x);
            minY = Math.min(minY, y);
            maxY = Math.max(maxY, y);
            int[][] next = {{x + 1, y}, {x - 1, y}, {x, y + 1}, {x, y - 1}};
            for (int[] q : next) {
                if (q[0] >= 0 && q[0] < w && q[1] >= 0 && q[1] < h) {
                    int qi = q[1] * w + q[0];
                    if (!seen[qi] && !white(img.getRGB(q[0], q[1]))) {
                        seen[qi] = true;
                        queue.add(qi);
                    }
                }
            }
        }
        return new int[] {n, maxX - minX + 1, maxY - minY + 1};
    }

    /** Number of 4-connected components of non-white pixels. */
    private static int components(BufferedImage img) {
        int w = img.getWidth();
        boolean[] seen = new boolean[w * img.getHeight()];
        int n = 0;
        for (int s = 0; s < seen.length; s++) {
            if (!seen[s] && !white(img.getRGB(s % w, s / w))) {
                flood(img, s, seen);
                n++;
            }
        }
        return n;
    }
}
