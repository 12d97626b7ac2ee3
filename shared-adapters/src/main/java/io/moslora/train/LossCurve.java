package io.moslora.train;

import io.moslora.io.AtomicFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Writes loss curves (one or several runs) as a PNG, because people would rather look at a curve than a log. */
public final class LossCurve {
    private LossCurve() {}

    /** {@code series}: run name → (step, loss) points. */
    public static void writePng(Path png, String title, Map<String, List<double[]>> series) {
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("step").yAxisTitle("loss").build();
        chart.getStyler().setLegendVisible(series.size() > 1);
        series.forEach((name, points) -> {
            if (points.isEmpty()) {
                return;
            }
            double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
            double[] y = points.stream().mapToDouble(p -> p[1]).toArray();
            chart.addSeries(name, x, y).setMarker(SeriesMarkers.NONE);
        });
        // xchart appends ".png" to any path it is given, so encode to bytes and write those atomically
        try {
            AtomicFiles.writeBytes(png, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot draw " + png + ": " + e.getMessage(), e);
        }
    }
}
