package io.moslora.eval.report;

import io.moslora.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.RadarChart;
import org.knowm.xchart.RadarChartBuilder;

/**
 * Per-category accuracy of one or more models as a radar chart PNG (like the paper's Figure 5 for MMBench): one
 * spoke per category, one polygon per model, 0 at the centre and 100% at the rim.
 */
public final class RadarChartWriter {
    private RadarChartWriter() {}

    /**
     * @param percentBySeries model name → (category → percent); categories are the union, in first-seen order
     */
    public static void write(Path png, String title, Map<String, Map<String, Double>> percentBySeries) {
        LinkedHashSet<String> categories = new LinkedHashSet<>();
        percentBySeries.values().forEach(m -> categories.addAll(m.keySet()));
        if (categories.size() < 3) {
            throw new IllegalArgumentException("a radar chart needs at least 3 categories, got " + categories);
        }
        RadarChart chart = new RadarChartBuilder().width(800).height(700).title(title).build();
        List<String> labels = new ArrayList<>(categories);
        chart.setRadiiLabels(labels.toArray(String[]::new));
        chart.getStyler().setToolTipsEnabled(false);
        for (Map.Entry<String, Map<String, Double>> s : percentBySeries.entrySet()) {
            double[] values = new double[labels.size()];
            for (int i = 0; i < labels.size(); i++) {
                Double v = s.getValue().get(labels.get(i));
                values[i] = v == null || v.isNaN() ? 0 : Math.max(0, Math.min(1, v / 100));
            }
            chart.addSeries(s.getKey(), values);
        }
        try {
            AtomicFiles.writeBytes(png, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render " + png + ": " + e.getMessage(), e);
        }
    }
}
