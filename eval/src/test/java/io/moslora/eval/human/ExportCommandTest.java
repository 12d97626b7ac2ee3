package io.moslora.eval.human;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.io.SharedData;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportCommandTest {
    static final String[] PROMPTS = {"a cat on the beach", "a cat in a bucket", "<img src=x onerror=alert(1)>"};

    @TempDir Path tmp;

    /** The official code's layout: both systems' images in one tree, told apart by file name. */
    private Path officialLayout() {
        Path root = tmp.resolve("run");
        for (int i = 0; i < PROMPTS.length; i++) {
            Path folder = root.resolve("output_images").resolve("cat").resolve(PROMPTS[i]);
            TestImages.draw(folder.resolve("lora.jpg"), Color.RED, i);
            TestImages.draw(folder.resolve("lora-mixer.png"), Color.BLUE, i);
        }
        return root;
    }

    private static Path references() {
        return SharedData.require("dreambooth");
    }

    private CommandRun exportOfficial(Path out, long seed) {
        Path run = officialLayout();
        return CommandRun.humanEval("export", "--a", run.toString(), "--a-name", "lora", "--b", run.toString(),
                "--b-name", "lora-mixer", "--reference", references().toString(),
                "--criteria", "subject-similarity,prompt-consistency", "--out", out.toString(),
                "--seed", String.valueOf(seed));
    }

    @Test
    void pairsTheOfficialLayoutAndKeepsTheKeyOutOfThePage() throws IOException {
        Path out = tmp.resolve("study");
        CommandRun run = exportOfficial(out, 7);
        assertThat(run.code()).as(run.err()).isZero();
        StudyKey key = StudyKey.read(out.resolve("key.json"));
        assertThat(key.seed()).isEqualTo(7);
        assertThat(key.pairs()).hasSize(3);
        assertThat(key.pairs()).extracting(BlindedPair::id).containsExactly("p01", "p02", "p03");
        assertThat(key.pairs()).extracting(p -> p.pair().prompt()).containsExactlyInAnyOrder(PROMPTS);
        assertThat(key.criteria()).extracting(Criterion::id).containsExactly("subject-similarity", "prompt-consistency");

        Path page = out.resolve("page");
        for (BlindedPair p : key.pairs()) {
            assertThat(ImageFiles.stem(p.pair().imageA())).isEqualTo("lora");
            assertThat(ImageFiles.stem(p.pair().imageB())).isEqualTo("lora-mixer");
            // The page's left image is, pixel for pixel, the system the key puts on the left.
            assertThat(TestImages.pixels(page.resolve("images").resolve(p.id() + "-left.png")))
                    .isEqualTo(TestImages.pixels(p.leftImage()));
            assertThat(TestImages.pixels(page.resolve("images").resolve(p.id() + "-right.png")))
                    .isEqualTo(TestImages.pixels(p.rightImage()));
        }
        // The five DreamBooth cat photos are copied byte for byte, under names that say nothing.
        List<Path> catPhotos = ImageFiles.list(references().resolve("cat"));
        assertThat(catPhotos).hasSize(5);
        for (int k = 0; k < catPhotos.size(); k++) {
            assertThat(Files.readAllBytes(page.resolve("images/ref-s1-" + (k + 1) + ".jpg")))
                    .isEqualTo(Files.readAllBytes(catPhotos.get(k)));
        }

        List<String> pageFiles = new ArrayList<>();
        try (Stream<Path> s = Files.walk(page)) {
            s.filter(Files::isRegularFile).forEach(f -> pageFiles.add(page.relativize(f).toString()));
        }
        assertThat(pageFiles).contains("index.html").noneMatch(f -> f.contains("key") || f.contains("lora"));
        String html = Files.readString(page.resolve("index.html"));
        assertThat(html).doesNotContain("lora").doesNotContain(tmp.toString()).doesNotContain("a_side")
                .doesNotContain("http:").doesNotContain("https:");
        assertThat(html).contains("&lt;img src=x onerror=alert(1)&gt;").doesNotContain("<img src=x");
        for (BlindedPair p : key.pairs()) {
            assertThat(html).contains("data-pair=\"" + p.id() + "\"");
        }
        assertThat(out.resolve("key.json")).isRegularFile();
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("page", "key.json");
        }
    }

    @Test
    void theSameSeedGivesTheSameStudyAndTheSidesAreMixed() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        for (int i = 0; i < 12; i++) {
            String subject = i % 2 == 0 ? "cat" : "dog";
            TestImages.draw(a.resolve(subject).resolve("prompt " + i).resolve("0.png"), Color.RED, i);
            TestImages.draw(b.resolve(subject).resolve("prompt " + i).resolve("0.png"), Color.BLUE, i);
        }
        List<String> first = layout(export(a, b, tmp.resolve("s1"), 42));
        List<String> again = layout(export(a, b, tmp.resolve("s2"), 42));
        List<String> other = layout(export(a, b, tmp.resolve("s3"), 43));
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
        assertThat(first).anyMatch(s -> s.endsWith("LEFT")).anyMatch(s -> s.endsWith("RIGHT"));
        // Study ids differ per export, so votes of one export are never scored with another's key.
        JsonNode k1 = new ObjectMapper().readTree(tmp.resolve("s1/key.json").toFile());
        JsonNode k2 = new ObjectMapper().readTree(tmp.resolve("s2/key.json").toFile());
        assertThat(k1.get("study").asText()).isNotEqualTo(k2.get("study").asText());
    }

    private Path export(Path a, Path b, Path out, long seed) {
        CommandRun run = CommandRun.humanEval("export", "--a", a.toString(), "--b", b.toString(), "--out",
                out.toString(), "--seed", String.valueOf(seed));
        assertThat(run.code()).as(run.err()).isZero();
        return out.resolve("key.json");
    }

    private static List<String> layout(Path keyFile) {
        return StudyKey.read(keyFile).pairs().stream()
                .map(p -> p.id() + " " + p.pair().subject() + " " + p.pair().prompt() + " " + p.sideOfA()).toList();
    }

    @Test
    void severalImagesPerPromptPairByFileName() {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        for (String seed : new String[] {"seed0", "seed1"}) {
            TestImages.draw(a.resolve("output_images/dog/a dog/" + seed + ".png"), Color.RED, seed.hashCode());
            TestImages.draw(b.resolve("output_images/dog/a dog/" + seed + ".jpg"), Color.BLUE, seed.hashCode());
        }
        StudyKey key = StudyKey.read(export(a, b, tmp.resolve("s"), 1));
        assertThat(key.pairs()).hasSize(2).allMatch(p ->
                ImageFiles.stem(p.pair().imageA()).equals(ImageFiles.stem(p.pair().imageB())));
    }

    @Test
    void aManifestListsPairsAndPromptsAreEscaped() throws IOException {
        Path images = tmp.resolve("imgs");
        TestImages.draw(images.resolve("x1.png"), Color.RED, 1);
        TestImages.draw(images.resolve("y1.png"), Color.BLUE, 1);
        Path manifest = images.resolve("pairs.csv");
        Files.writeString(manifest, "subject,prompt,a,b\ncat,\"<script>alert('x')</script> & \"\"more\"\"\",x1.png,y1.png\n");
        Path out = tmp.resolve("s");
        // --reference may also be the subject's own folder.
        CommandRun run = CommandRun.humanEval("export", "--manifest", manifest.toString(), "--out", out.toString(),
                "--seed", "3", "--criteria", "prompt-consistency", "--reference",
                SharedData.require("dreambooth/cat").toString());
        assertThat(run.code()).as(run.err()).isZero();
        StudyKey key = StudyKey.read(out.resolve("key.json"));
        assertThat(key.pairs().get(0).pair().prompt()).isEqualTo("<script>alert('x')</script> & \"more\"");
        String html = Files.readString(out.resolve("page/index.html"));
        assertThat(html).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;");
        assertThat(html).doesNotContain("<script>alert");
        assertThat(html.split("class=\"reference\"", -1)).hasSize(6);
        assertThat(out.resolve("page/images/ref-s1-5.jpg")).isRegularFile();
    }

    @Test
    void badInputIsOneLineNamingTheCulpritAndLeavesNothingBehind() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        TestImages.draw(a.resolve("cat/p1/0.png"), Color.RED, 1);
        TestImages.draw(b.resolve("cat/p1/0.png"), Color.BLUE, 1);
        TestImages.draw(a.resolve("cat/p2/0.png"), Color.RED, 2);
        Path out = tmp.resolve("out");

        assertFails(CommandRun.humanEval("export", "--a", a.toString(), "--b", b.toString(), "--out", out.toString()),
                "system B", "prompt 'p2'");
        TestImages.draw(b.resolve("cat/p2/0.png"), Color.BLUE, 2);

        assertFails(CommandRun.humanEval("export", "--a", a.toString(), "--b", b.toString(), "--out", out.toString(),
                "--criteria", "subject-similarity,Bad Id"), "--criteria", "Bad Id");
        assertFails(CommandRun.humanEval("export", "--a", a.toString(), "--b", b.toString(), "--out", out.toString(),
                "--criteria", "x,x"), "--criteria", "twice");
        assertFails(CommandRun.humanEval("export", "--a", a.toString(), "--out", out.toString()), "--b");
        assertFails(CommandRun.humanEval("export", "--a", a.toString(), "--b", a.toString(), "--out", out.toString()),
                "--a-name");
        assertFails(CommandRun.humanEval("export", "--a", a.toString(), "--b", b.toString(), "--out", out.toString(),
                "--reference", tmp.toString()), "--reference", "'cat'");

        Files.writeString(b.resolve("cat/p2/0.png"), "not an image");
        assertFails(CommandRun.humanEval("export", "--a", a.toString(), "--b", b.toString(), "--out", out.toString()),
                b.resolve("cat/p2/0.png").toString());
        // Nothing half-written: no page, no key, no staging folder.
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.toList()).isEmpty();
        }

        TestImages.draw(b.resolve("cat/p2/0.png"), Color.BLUE, 2);
        assertThat(CommandRun.humanEval("export", "--a", a.toString(), "--b", b.toString(), "--out", out.toString())
                .code()).isZero();
        byte[] keyBefore = Files.readAllBytes(out.resolve("key.json"));
        assertFails(CommandRun.humanEval("export", "--a", a.toString(), "--b", b.toString(), "--out", out.toString()),
                "already holds a study");
        assertThat(Files.readAllBytes(out.resolve("key.json"))).isEqualTo(keyBefore);

        Path manifest = tmp.resolve("m.csv");
        Files.writeString(manifest, "subject,prompt,left,right\n");
        assertFails(CommandRun.humanEval("export", "--manifest", manifest.toString(), "--out", tmp.resolve("o2").toString()),
                manifest.toString(), "header");
        Files.writeString(manifest, "subject,prompt,a,b\ncat,p,missing.png,b.png\n");
        assertFails(CommandRun.humanEval("export", "--manifest", manifest.toString(), "--out", tmp.resolve("o2").toString()),
                manifest + " line 2", "field 'a'");
    }

    static void assertFails(CommandRun run, String... mentions) {
        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.errorLine()).startsWith("error: ").contains(mentions);
    }
}
