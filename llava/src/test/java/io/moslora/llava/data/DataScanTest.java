package io.moslora.llava.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moslora.cli.UserError;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataScanTest {
    @TempDir
    Path dir;

    private Path writeJpeg(String name, boolean truncated) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        java.awt.image.BufferedImage img = ClipImageProcessorTest.solid(64, 48, Color.ORANGE);
        img.setRGB(3, 3, 0x123456);
        ImageIO.write(img, "jpg", bytes);
        byte[] b = bytes.toByteArray();
        if (truncated) {
            b = Arrays.copyOf(b, b.length / 2); // skimage's truncated.jpg idea: the entropy data stops midway
        }
        Path p = dir.resolve("images").resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, b);
        return p;
    }

    private Path data(String json) throws Exception {
        Path p = dir.resolve("data.json");
        Files.writeString(p, json);
        return p;
    }

    static final String GOOD = "{\"id\":\"ok1\",\"image\":\"a.jpg\",\"conversations\":[{\"from\":\"human\",\"value\":\"What is it?\\n<image>\"},{\"from\":\"gpt\",\"value\":\"A box.\"}]}";
    static final String TEXT = "{\"id\":\"txt\",\"conversations\":[{\"from\":\"human\",\"value\":\"Hi\"},{\"from\":\"gpt\",\"value\":\"Hello\"}]}";

    @Test
    void goodRecordsParseAndImageMovesToTheFront() throws Exception {
        writeJpeg("a.jpg", false);
        Path f = data("[" + GOOD + "," + TEXT + "]");
        DataScan.Report r = DataScan.scan(f, dir.resolve("images"), false);
        assertThat(r.bad()).isEmpty();
        assertThat(r.good()).hasSize(2);
        assertThat(r.good().get(0).trainingTurns().get(0).text()).isEqualTo("<image>\nWhat is it?");
        assertThat(r.good().get(1).hasImage()).isFalse();
        assertThat(r.good().get(1).trainingTurns().get(0).text()).isEqualTo("Hi");
        assertThat(DataScan.requireUsable(r, f, false, null)).hasSize(2);
    }

    @Test
    void everyKindOfBadSampleIsReportedWithItsIdAndStopsTheRunByDefault() throws Exception {
        writeJpeg("a.jpg", false);
        writeJpeg("broken.jpg", true);
        Files.writeString(dir.resolve("secret.jpg"), "outside");
        Path f = data("[" + GOOD + ","
                + "{\"id\":\"missing\",\"image\":\"nope.jpg\",\"conversations\":[{\"from\":\"human\",\"value\":\"<image>\"},{\"from\":\"gpt\",\"value\":\"x\"}]},"
                + "{\"id\":\"trunc\",\"image\":\"broken.jpg\",\"conversations\":[{\"from\":\"human\",\"value\":\"<image>\"},{\"from\":\"gpt\",\"value\":\"x\"}]},"
                + "{\"id\":\"escape\",\"image\":\"../secret.jpg\",\"conversations\":[{\"from\":\"human\",\"value\":\"<image>\"},{\"from\":\"gpt\",\"value\":\"x\"}]},"
                + "{\"id\":\"badrole\",\"conversations\":[{\"from\":\"robot\",\"value\":\"x\"}]},"
                + "{\"id\":\"noconv\"},"
                + "42,"
                + TEXT + "]");
        DataScan.Report r = DataScan.scan(f, dir.resolve("images"), false);
        assertThat(r.good()).extracting(LlavaRecord::id).containsExactly("ok1", "txt");
        assertThat(r.bad()).extracting(BadSample::id).containsExactly("missing", "trunc", "escape", "badrole", "noconv", "#6");
        assertThat(r.bad()).extracting(BadSample::index).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(r.bad().get(0).reason()).contains("nope.jpg is missing");
        assertThat(r.bad().get(1).reason()).contains("broken.jpg cannot be decoded");
        assertThat(r.bad().get(2).reason()).contains("escapes the image folder");
        assertThat(r.bad().get(3).reason()).isEqualTo("conversations[0].from is 'robot', expected human or gpt");
        assertThat(r.bad().get(4).reason()).isEqualTo("field 'conversations' must be a non-empty array");
        assertThat(r.bad().get(5).reason()).isEqualTo("not a JSON object");

        assertThatThrownBy(() -> DataScan.requireUsable(r, f, false, null)).isInstanceOf(UserError.class)
                .hasMessage(f + ": 6 bad sample(s), first record 1 (id missing): image "
                        + dir.resolve("images/nope.jpg").toAbsolutePath().normalize()
                        + " is missing; fix them or pass --skip-bad to leave them out");
        StringWriter log = new StringWriter();
        assertThat(DataScan.requireUsable(r, f, true, new PrintWriter(log))).hasSize(2);
        assertThat(log.toString()).startsWith("skipping 6 bad sample(s) of " + f + " (2 samples ok, 6 bad):")
                .contains("record 2 (id trunc)");
    }

    @Test
    void aFileThatIsNotAnArrayIsAUserError() throws Exception {
        Path f = data("{\"id\":1}");
        assertThatThrownBy(() -> LlavaJsonReader.read(f)).isInstanceOf(UserError.class)
                .hasMessage(f + ": expected a JSON array of records (llava_v1_5_mix665k.json format)");
        Path g = data("[" + TEXT + ",");
        assertThatThrownBy(() -> LlavaJsonReader.read(g)).isInstanceOf(UserError.class).hasMessageStartingWith(g + ": ");
    }

    @Test
    void lengthGroupedBatchesCoverEveryIndexOnceAndSortWithinMegaBatches() {
        int[] lengths = {5, 1, 9, 3, 7, 2, 8, 4, 6, 0};
        var batches = LengthGroupedBatches.batches(lengths, 2, 5, 7L);
        assertThat(batches.stream().flatMapToInt(Arrays::stream).sorted().toArray()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        var one = LengthGroupedBatches.batches(lengths, 2, 5, 7L);
        assertThat(one.get(0)).containsExactly(batches.get(0)); // deterministic by seed
        var all = LengthGroupedBatches.batches(lengths, 2, 100, 1L); // one mega-batch: fully sorted
        assertThat(all.stream().flatMapToInt(Arrays::stream).map(i -> lengths[i]).toArray()).containsExactly(9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    }
}
