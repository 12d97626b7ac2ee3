package io.moslora.llava.demo;

import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** The demo's comparison table as Markdown: accuracy (overall and per question kind), size, time, memory. */
public final class DemoReport {
    private DemoReport() {}

    public static String markdown(DemoPipeline.Report r, DemoPipeline.Options o) {
        TreeSet<String> categories = new TreeSet<>();
        r.rows().forEach(row -> categories.addAll(row.score().byCategory().keySet()));
        StringBuilder sb = new StringBuilder();
        sb.append("# MoSLoRA Suite demo: tiny LLaVA on synthetic shapes\n\n");
        sb.append(String.format(Locale.ROOT, "%d held-out questions, exact match of the short answer (greedy); chance %.1f %%. "
                + "Base pre-trained %d steps (lr %.0e), fine-tunes %d steps (lr %.0e), batch %d, rank %d, seed %d. Wall time %.0f s.%n%n",
                r.heldOut(), 100 * r.chance(), o.pretrainSteps(), DemoPipeline.PRETRAIN_LR, o.finetuneSteps(), DemoPipeline.FINETUNE_LR, o.batchSize(), o.rank(), o.seed(),
                r.wallSeconds()));
        sb.append("| model | accuracy |");
        categories.forEach(c -> sb.append(' ').append(c).append(" |"));
        sb.append(" trainable params | train time | peak memory | note |\n|---|---:|");
        categories.forEach(c -> sb.append("---:|"));
        sb.append("---:|---:|---:|---|\n");
        for (DemoPipeline.Row row : r.rows()) {
            sb.append("| ").append(row.variant()).append(String.format(Locale.ROOT, " | %.1f %% |", 100 * row.score().accuracy()));
            Map<String, Double> by = row.score().byCategory();
            categories.forEach(c -> sb.append(String.format(Locale.ROOT, " %.1f %% |", 100 * by.getOrDefault(c, 0.0))));
            sb.append(String.format(Locale.ROOT, " %,d | %s | %s | %s |%n", row.trainableParameters(),
                    row.trainSeconds() > 0 ? String.format(Locale.ROOT, "%.1f s", row.trainSeconds()) : "–",
                    Double.isNaN(row.peakMemoryMiB()) || row.peakMemoryMiB() < 0 ? "–"
                            : String.format(Locale.ROOT, "%.0f MiB", row.peakMemoryMiB()), row.note()));
        }
        sb.append("\nPeak memory: the process's resident set (Java + libtorch) sampled while that fine-tune ran.\n");
        sb.append("\nSample answers:\n\n");
        for (DemoPipeline.Row row : r.rows()) {
            sb.append("- ").append(row.variant()).append(": ").append(String.join("; ", row.score().examples())).append('\n');
        }
        sb.append("\nFiles: data/ (LLaVA JSON, images, VLMEvalKit TSV), base/model (the tiny base, llava-hf layout), "
                + "qmoslora/ and lora/ (PEFT adapters, projector, metrics), loss_curves.png.\n");
        return sb.toString();
    }
}
