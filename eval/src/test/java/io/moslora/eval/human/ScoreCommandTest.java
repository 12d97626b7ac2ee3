package io.moslora.eval.human;

import static io.moslora.eval.human.ExportCommandTest.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-made study: 4 pairs, 3 raters, 2 criteria. Sides of A: p01 left, p02 right, p03 left, p04 right;
 * subjects: p01, p02 cat; p03, p04 dog.
 *
 * <p>subject-similarity, votes as clicked → un-blinded for A:
 * <pre>
 *        r1          r2          r3          counts (W,T,L)
 * p01  left  → W   left  → W   left  → W     (3,0,0)
 * p02  right → W   left  → L   right → W     (2,0,1)
 * p03  tie   → T   left  → W   right → L     (1,1,1)
 * p04  left  → L   right → W   tie   → T     (1,1,1)
 * </pre>
 * W=7, T=2, L=3 of 12: win 58.333%, tie 16.667%, loss 25%, Δ = 33.333%.
 * cat: W5 T0 L1 of 6 → 83.333 / 0 / 16.667, Δ 66.667; dog: W2 T2 L2 → 33.333 each, Δ 0.
 * Fleiss: n = 3, P_i = (Σ n_ij² − 3)/6 → P = 1, 1/3, 0, 0 → P̄ = 1/3;
 * p = (7, 2, 3)/12 → P_e = (49 + 4 + 9)/144 = 31/72; κ = (24/72 − 31/72)/(41/72) = −7/41 = −0.170732.
 *
 * <p>prompt-consistency: all three raters click p01 left (W), p02 left (L), p03 left (W), p04 tie (T):
 * W=6, T=3, L=3 of 12: win 50%, tie 25%, loss 25%, Δ 25%; full agreement, κ = 1.
 */
class ScoreCommandTest {
    @TempDir Path tmp;
    Path keyFile;
    StudyKey key;

    static final String[][] SIMILARITY = {
        {"left", "right", "tie", "left"},
        {"left", "left", "left", "right"},
        {"left", "right", "right", "tie"},
    };
    static final String[] CONSISTENCY = {"left", "left", "left", "tie"};

    @BeforeEach
    void writeKey() {
        Side[] sides = {Side.LEFT, Side.RIGHT, Side.LEFT, Side.RIGHT};
        String[] subjects = {"cat", "cat", "dog", "dog"};
        List<BlindedPair> pairs = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pairs.add(new BlindedPair("p0" + (i + 1), new ComparisonPair(subjects[i], "prompt " + i,
                    Path.of("/a/" + i + ".png"), Path.of("/b/" + i + ".png")), sides[i]));
        }
        key = new StudyKey("5tudy1d", 9, "lora", "moslora",
                List.of(Criterion.of("subject-similarity"), Criterion.of("prompt-consistency")), pairs);
        keyFile = tmp.resolve("key.json");
        AtomicFiles.writeString(keyFile, key.toJson());
    }

    private String votes(String rater, int r) {
        StringBuilder s = new StringBuilder("study,rater,pair,criterion,choice\r\n");
        for (int i = 0; i < 4; i++) {
            s.append("5tudy1d,").append(rater).append(",p0").append(i + 1).append(",subject-similarity,")
                    .append(SIMILARITY[r][i]).append("\r\n");
            s.append("5tudy1d,").append(rater).append(",p0").append(i + 1).append(",prompt-consistency,")
                    .append(CONSISTENCY[i]).append("\r\n");
        }
        return s.toString();
    }

    private Path write(String name, String content) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private String[] threeRaters() throws IOException {
        return new String[] {write("r1.csv", votes("r1", 0)).toString(), write("r2.csv", votes("\"r 2, b\"", 1)).toString(),
                write("r3.csv", "\uFEFF" + votes("r3", 2)).toString()};
    }

    @Test
    void jsonHasTheHandComputedPercentagesAndKappa() throws IOException {
        String[] files = threeRaters();
        CommandRun run = CommandRun.humanEval("score", "--key", keyFile.toString(), "--votes", files[0], files[1],
                files[2], "--json");
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.fieldNames()).toIterable().containsExactly("subject-similarity", "prompt-consistency");

        JsonNode sim = json.get("subject-similarity");
        assertThat(sim.get("win").asDouble()).isCloseTo(100.0 * 7 / 12, within(1e-9));
        assertThat(sim.get("tie").asDouble()).isCloseTo(100.0 * 2 / 12, within(1e-9));
        assertThat(sim.get("loss").asDouble()).isCloseTo(25.0, within(1e-9));
        assertThat(sim.get("delta").asDouble()).isCloseTo(100.0 / 3, within(1e-9));
        assertThat(sim.get("kappa").asDouble()).isCloseTo(-7.0 / 41, within(1e-12));
        assertThat(sim.get("votes").asInt()).isEqualTo(12);
        assertThat(sim.get("raters").asInt()).isEqualTo(3);
        JsonNode cat = sim.get("per_subject").get("cat");
        assertThat(cat.get("win").asDouble()).isCloseTo(100.0 * 5 / 6, within(1e-9));
        assertThat(cat.get("tie").asDouble()).isEqualTo(0.0);
        assertThat(cat.get("loss").asDouble()).isCloseTo(100.0 / 6, within(1e-9));
        assertThat(cat.get("delta").asDouble()).isCloseTo(200.0 / 3, within(1e-9));
        JsonNode dog = sim.get("per_subject").get("dog");
        assertThat(dog.get("win").asDouble()).isCloseTo(100.0 / 3, within(1e-9));
        assertThat(dog.get("delta").asDouble()).isEqualTo(0.0);

        JsonNode con = json.get("prompt-consistency");
        assertThat(con.get("win").asDouble()).isEqualTo(50.0);
        assertThat(con.get("tie").asDouble()).isEqualTo(25.0);
        assertThat(con.get("loss").asDouble()).isEqualTo(25.0);
        assertThat(con.get("delta").asDouble()).isEqualTo(25.0);
        assertThat(con.get("kappa").asDouble()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void textReportAndSingleRaterHasNoKappa() throws IOException {
        String[] files = threeRaters();
        CommandRun run = CommandRun.humanEval("score", "--key", keyFile.toString(), "--votes", files[0], files[1],
                files[2]);
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("3 raters, 4 pairs").contains("A = lora").contains("B = moslora");
        assertThat(run.out()).containsPattern("subject-similarity\\s+\\(all\\)\\s+12\\s+58\\.3\\s+16\\.7\\s+25\\.0\\s+\\+33\\.3\\s+-0\\.171");
        assertThat(run.out()).containsPattern("\\s+cat\\s+6\\s+83\\.3\\s+0\\.0\\s+16\\.7\\s+\\+66\\.7");
        assertThat(run.out()).containsPattern("prompt-consistency\\s+\\(all\\)\\s+12\\s+50\\.0\\s+25\\.0\\s+25\\.0\\s+\\+25\\.0\\s+1\\.000");

        // One rater: r1 alone scores W,W,T,L → 50 / 25 / 25; agreement is undefined.
        CommandRun one = CommandRun.humanEval("score", "--key", keyFile.toString(), "--votes", files[0], "--json");
        JsonNode sim = new ObjectMapper().readTree(one.out()).get("subject-similarity");
        assertThat(sim.get("win").asDouble()).isEqualTo(50.0);
        assertThat(sim.get("kappa").isNull()).isTrue();
    }

    @Test
    void everyBadVoteFileIsOneLineNamingFileAndLine() throws IOException {
        String good = votes("r1", 0);
        String[] lines = good.split("\r\n");
        assertBad(write("empty-rater.csv", good.replace(",r1,", ",,")), "empty-rater.csv line 2", "rater id is empty");
        assertBad(write("short.csv", good.substring(0, good.lastIndexOf("5tudy1d"))), "short.csv", "1 of 8 votes missing",
                "pair p04, criterion prompt-consistency");
        assertBad(write("dup.csv", good + lines[3] + "\r\n"), "dup.csv line 10", "second vote for pair p02",
                "first on line 4");
        assertBad(write("pair.csv", good.replace("p03", "p99")), "pair.csv line 6", "pair 'p99' is not in the key");
        assertBad(write("study.csv", good.replace("5tudy1d", "other")), "study.csv line 2", "another export");
        assertBad(write("choice.csv", good.replaceFirst(",left", ",maybe")), "choice.csv line 2", "'maybe'");
        assertBad(write("crit.csv", good.replaceFirst("subject-similarity", "beauty")), "crit.csv line 2", "'beauty'");
        assertBad(write("header.csv", good.replace("choice", "vote")), "header.csv line 1", "header");
        assertBad(write("mixed.csv", good.replaceFirst(",r1,(p02)", ",r9,p02")), "mixed.csv", "rater 'r9'");
        assertBad(write("nothing.csv", "study,rater,pair,criterion,choice\r\n"), "nothing.csv", "no votes");

        Path r1 = write("r1.csv", good);
        Path again = write("r1-again.csv", good);
        assertBad(again, "r1-again.csv", "rater 'r1' already voted in " + r1, r1.toString());

        Path notKey = write("key2.json", "{\"format\":\"something else\"}");
        assertFails(CommandRun.humanEval("score", "--key", notKey.toString(), "--votes", r1.toString()),
                "key2.json", "format");
        assertFails(CommandRun.humanEval("score", "--key", tmp.resolve("none.json").toString(), "--votes",
                r1.toString()), "none.json");
    }

    private void assertBad(Path file, String... mentions) {
        String[] args = file.getFileName().toString().equals("r1-again.csv")
                ? new String[] {"score", "--key", keyFile.toString(), "--votes", tmp.resolve("r1.csv").toString(), file.toString()}
                : new String[] {"score", "--key", keyFile.toString(), "--votes", file.toString()};
        assertFails(CommandRun.humanEval(args), mentions);
    }
}
