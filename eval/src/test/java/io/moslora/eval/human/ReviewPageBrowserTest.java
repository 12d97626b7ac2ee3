package io.moslora.eval.human;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.io.SharedData;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported page in a real headless Chromium, opened from file://: every pair shows with its photos, prompts are
 * text (never markup), votes are clicked with the mouse, survive a reload, and the downloaded CSV scores.
 */
class ReviewPageBrowserTest {
    static final String[] SUBJECTS = {"cat", "cat", "dog"};
    static final String[] PROMPTS = {
        "a cat on the beach",
        "<script>window.__xss = 1</script>",
        "<img src=x onerror=\"window.__xss = 2\"> & friends",
    };
    static final String RATER = "ann \"A\", 1";

    @TempDir Path tmp;
    Path chromium;

    @BeforeEach
    void needsChromium() {
        Optional<Path> found = HeadlessChromium.executable();
        if (found.isEmpty() && System.getenv("CI") != null) {
            Assertions.fail("chromium is not installed; CI must install the Debian package 'chromium'");
        }
        Assumptions.assumeTrue(found.isPresent(),
                "SKIPPED: no chromium on the PATH (apt-get install -y chromium, or set CHROMIUM); the page is untested");
        chromium = found.get();
    }

    private StudyKey exportStudy(Path out) throws Exception {
        StringBuilder manifest = new StringBuilder("subject,prompt,a,b\n");
        for (int i = 0; i < PROMPTS.length; i++) {
            TestImages.draw(tmp.resolve("gen/" + i + "/lora.png"), Color.RED, i);
            TestImages.draw(tmp.resolve("gen/" + i + "/lora-mixer.jpg"), Color.BLUE, i);
            manifest.append(SUBJECTS[i]).append(",\"").append(PROMPTS[i].replace("\"", "\"\"")).append("\",gen/")
                    .append(i).append("/lora.png,gen/").append(i).append("/lora-mixer.jpg\n");
        }
        Files.writeString(tmp.resolve("pairs.csv"), manifest);
        CommandRun run = CommandRun.humanEval("export", "--manifest", tmp.resolve("pairs.csv").toString(),
                "--reference", SharedData.require("dreambooth").toString(), "--out", out.toString(), "--seed", "11");
        assertThat(run.code()).as(run.err()).isZero();
        return StudyKey.read(out.resolve("key.json"));
    }

    @Test
    void aRaterVotesInTheBrowserAndTheExportedCsvScores() throws Exception {
        Path out = tmp.resolve("study");
        StudyKey key = exportStudy(out);
        List<String> criteria = key.criteria().stream().map(Criterion::id).toList();
        // What the rater clicks, per pair in page order, per criterion.
        String[][] plan = {{"left", "tie"}, {"right", "left"}, {"tie", "right"}};
        Path downloads = Files.createDirectories(tmp.resolve("downloads"));
        int catPhotos = ImageFiles.list(SharedData.require("dreambooth/cat")).size();
        int dogPhotos = ImageFiles.list(SharedData.require("dreambooth/dog")).size();

        try (HeadlessChromium browser = new HeadlessChromium(chromium, Files.createDirectories(tmp.resolve("browser")))) {
            browser.downloadInto(downloads);
            browser.open(out.resolve("page/index.html").toUri().toString());

            // Every pair is there, in the key's order, with its subject and prompt shown as plain text.
            JsonNode sections = browser.eval("Array.from(document.querySelectorAll('section.pair')).map(s => ({"
                    + "id: s.dataset.pair, subject: s.querySelector('.subject').textContent,"
                    + "prompt: s.querySelector('.prompt-text').textContent,"
                    + "refs: s.querySelectorAll('img.reference').length,"
                    + "votes: s.querySelectorAll('fieldset.vote').length}))");
            assertThat(sections).hasSize(3);
            for (int i = 0; i < 3; i++) {
                BlindedPair p = key.pairs().get(i);
                JsonNode s = sections.get(i);
                assertThat(s.get("id").asText()).isEqualTo(p.id());
                assertThat(s.get("subject").asText()).isEqualTo(p.pair().subject());
                assertThat(s.get("prompt").asText()).isEqualTo(p.pair().prompt());
                assertThat(s.get("refs").asInt()).isEqualTo(p.pair().subject().equals("cat") ? catPhotos : dogPhotos);
                assertThat(s.get("votes").asInt()).isEqualTo(2);
            }
            // Nothing injected ran or was parsed as markup: the page's own script is the only one.
            assertThat(browser.eval("typeof window.__xss").asText()).isEqualTo("undefined");
            assertThat(browser.eval("document.scripts.length").asInt()).isEqualTo(1);
            assertThat(browser.eval("document.querySelectorAll('main img').length").asInt())
                    .isEqualTo(6 + 2 * catPhotos + dogPhotos);
            // All images load from file:// (the page's CSP lets them), candidates at their real size.
            browser.waitFor("Array.from(document.images).every(i => i.complete)");
            assertThat(browser.eval("Array.from(document.images).filter(i => i.naturalWidth === 0).map(i => i.src)"))
                    .isEmpty();
            assertThat(browser.eval("Array.from(document.querySelectorAll('img.candidate')).map(i => i.naturalWidth)"))
                    .allMatch(w -> w.asInt() == TestImages.WIDTH);
            assertThat(browser.eval("document.getElementById('progress').textContent").asText())
                    .isEqualTo("0 of 6 answered");

            browser.click("#rater");
            browser.type(RATER);
            for (int i = 0; i < 3; i++) {
                for (int c = 0; c < 2; c++) {
                    if (i == 2 && c == 1) {
                        continue; // left out to see the export refuse an incomplete file
                    }
                    browser.click(radio(key.pairs().get(i).id(), criteria.get(c), plan[i][c]));
                }
            }
            assertThat(browser.eval("document.getElementById('progress').textContent").asText())
                    .isEqualTo("5 of 6 answered");
            browser.click("#export");
            assertThat(browser.eval("document.getElementById('status').textContent").asText())
                    .contains("1 answer(s) missing").contains("Pair 3 of 3");

            browser.click(radio(key.pairs().get(2).id(), criteria.get(1), plan[2][1]));
            browser.click("#export");
            Path csv = awaitDownload(downloads);
            assertThat(csv.getFileName().toString()).isEqualTo("votes-ann_A_1.csv");

            List<String> expected = new ArrayList<>(List.of("study,rater,pair,criterion,choice"));
            for (int i = 0; i < 3; i++) {
                for (int c = 0; c < 2; c++) {
                    expected.add(key.study() + ",\"ann \"\"A\"\", 1\"," + key.pairs().get(i).id() + ","
                            + criteria.get(c) + "," + plan[i][c]);
                }
            }
            String text = Files.readString(csv);
            assertThat(text).isEqualTo(String.join("\r\n", expected) + "\r\n");
            // The copy shown on the page (a textarea reports its line breaks as \n).
            assertThat(browser.eval("document.getElementById('csv-output').value").asText())
                    .isEqualTo(text.replace("\r\n", "\n"));

            // The votes live in the browser: a reload brings them and the rater id back.
            browser.reload();
            assertThat(browser.eval("document.querySelectorAll('input[type=radio]:checked').length").asInt()).isEqualTo(6);
            assertThat(browser.eval("document.getElementById('rater').value").asText()).isEqualTo(RATER);
            assertThat(browser.eval("document.querySelector('" + radio(key.pairs().get(1).id(), criteria.get(0), "right")
                    .replace("'", "\\'") + "').checked").asBoolean()).isTrue();
            assertThat(browser.errors()).as("page errors").isEmpty();

            // The next rater on this computer starts clean, and stays clean after a reload.
            browser.eval("window.confirm = () => true");
            browser.click("#reset");
            assertThat(browser.eval("document.querySelectorAll('input[type=radio]:checked').length").asInt()).isZero();
            browser.reload();
            assertThat(browser.eval("document.querySelectorAll('input[type=radio]:checked').length").asInt()).isZero();
            assertThat(browser.eval("document.getElementById('rater').value").asText()).isEmpty();
            assertThat(browser.eval("document.getElementById('progress').textContent").asText())
                    .isEqualTo("0 of 6 answered");
            // The error channel above is live: an uncaught error in the page shows up in it.
            browser.eval("setTimeout(() => { throw new Error('probe-error'); }, 0)");
            browser.waitFor("true");
            Thread.sleep(200);
            assertThat(browser.errors()).anyMatch(e -> e.contains("probe-error"));

            // The downloaded file closes the loop: scoring un-blinds it with the key.
            CommandRun score = CommandRun.humanEval("score", "--key", out.resolve("key.json").toString(), "--votes",
                    csv.toString(), "--json");
            assertThat(score.code()).as(score.err()).isZero();
            JsonNode json = new ObjectMapper().readTree(score.out());
            for (int c = 0; c < 2; c++) {
                int win = 0;
                int tie = 0;
                for (int i = 0; i < 3; i++) {
                    String aSide = key.pairs().get(i).sideOfA().id();
                    tie += plan[i][c].equals("tie") ? 1 : 0;
                    win += plan[i][c].equals(aSide) ? 1 : 0;
                }
                JsonNode got = json.get(criteria.get(c));
                assertThat(got.get("win").asDouble()).isEqualTo(100.0 * win / 3);
                assertThat(got.get("tie").asDouble()).isEqualTo(100.0 * tie / 3);
                assertThat(got.get("loss").asDouble()).isEqualTo(100.0 * (3 - win - tie) / 3);
            }
        }
    }

    private static String radio(String pair, String criterion, String choice) {
        return "fieldset[data-pair=\"" + pair + "\"][data-criterion=\"" + criterion + "\"] input[value=\"" + choice + "\"]";
    }

    private static Path awaitDownload(Path dir) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Stream<Path> s = Files.list(dir)) {
                List<Path> files = s.toList();
                if (files.size() == 1 && files.get(0).toString().endsWith(".csv")) {
                    return files.get(0);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no CSV downloaded into " + dir);
    }
}
