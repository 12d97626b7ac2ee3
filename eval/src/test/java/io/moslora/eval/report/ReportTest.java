package io.moslora.eval.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.moslora.eval.data.DatasetKind;
import io.moslora.eval.score.ScoreResult;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    private static ScoreResult result(String dataset, DatasetKind kind, double overall, Map<String, Object> extra) {
        Map<String, Object> json = ScoreResult.jsonHead(dataset, kind, overall);
        json.putAll(extra);
        return new ScoreResult(dataset, kind, overall, json, Map.of(), "_acc", List.of(), List.of());
    }

    @Test
    void summaryLikeTable5(@TempDir Path dir) throws Exception {
        SummaryTable t = new SummaryTable()
                .add("LoRA", result("MMBench_DEV_EN", DatasetKind.CIRCULAR, 70.0, Map.of()))
                .add("LoRA", result("MME", DatasetKind.YORN, 1400.0 / 28, Map.of("total", 1400.0)))
                .add("LoRA", ScoreResult.needsJudge("MMVet", DatasetKind.MMVET))
                .add("MoSLoRA", result("MMBench_DEV_EN", DatasetKind.CIRCULAR, 73.75, Map.of()))
                .add("MoSLoRA", result("MME", DatasetKind.YORN, 1540.0 / 28, Map.of("total", 1540.0)))
                .add("MoSLoRA", result("MMVet", DatasetKind.MMVET, 35.2, Map.of()));
        // LoRA: (70 + 50) / 2 = 60; MoSLoRA: (73.75 + 55 + 35.2) / 3 = 54.65
        assertThat(t.average("LoRA")).isEqualTo(60.0);
        assertThat(t.average("MoSLoRA")).isCloseTo(54.65, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(t.toMarkdown()).startsWith("| Model | MMBench_DEV_EN | MME | MMVet | Avg. |\n|---|---:|---:|---:|---:|\n"
                + "| LoRA | 70.0 | 1400.0 | needs judge | 60.0 |\n"
                + "| MoSLoRA | 73.8 | 1540.0 | 35.2 | 54.7 |\n");
        t.write(dir, "summary");
        assertThat(Files.readAllLines(dir.resolve("summary.csv"))).containsExactly(
                "\"Model\",\"MMBench_DEV_EN\",\"MME\",\"MMVet\",\"Avg.\"",
                "\"LoRA\",\"70.0\",\"1400.0\",\"needs judge\",\"60.0\"",
                "\"MoSLoRA\",\"73.75\",\"1540.0\",\"35.2\",\"" + io.moslora.eval.text.PyFloat.repr(t.average("MoSLoRA"))
                        + "\"");
    }

    @Test
    void radarChartPng(@TempDir Path dir) throws Exception {
        Map<String, Map<String, Double>> series = new LinkedHashMap<>();
        series.put("LoRA", Map.of("CP", 80.0, "FP-S", 60.0, "FP-C", 50.0, "AR", 70.0, "LR", 40.0, "RR", 65.0));
        series.put("MoSLoRA", Map.of("CP", 82.0, "FP-S", 66.0, "FP-C", 55.0, "AR", 72.0, "LR", 45.0, "RR", 70.0));
        Path png = dir.resolve("radar.png");
        RadarChartWriter.write(png, "MMBench abilities", series);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(800);
        assertThat(img.getHeight()).isEqualTo(700);
    }
}
