package io.moslora.eval.data;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Knows the benchmark names VLMEvalKit knows (the file stem of {@code NAME.tsv} in the data folder) and which
 * evaluation each one gets. Unknown names are custom sets: multiple choice when the file has option columns,
 * open VQA otherwise — the same fallback VLMEvalKit uses.
 */
public final class DatasetCatalog {
    private static final List<String> MCQ_PREFIXES = List.of(
            "MMBench", "SEEDBench", "ScienceQA", "AI2D", "CCBench", "MMStar", "MMT-Bench", "RealWorldQA", "BLINK",
            "A-OKVQA", "Q-Bench1", "A-Bench", "AesBench", "MMMB", "MMVP", "MMCR");
    private static final List<String> YORN_PREFIXES = List.of("MME");
    /**
     * Known to VLMEvalKit but scored there with rules not implemented here (POPE's F1, HallusionBench's figure/question
     * accuracy, AMBER, ANLS, relaxed accuracy); refusing is better than printing a number computed another way.
     */
    private static final List<String> UNSUPPORTED_PREFIXES = List.of("HallusionBench", "POPE", "AMBER", "DocVQA",
            "InfoVQA", "ChartQA", "MMMU");
    private static final List<String> VQA_PREFIXES = List.of("TextVQA", "OCRVQA", "GQA");

    private DatasetCatalog() {}

    /** The kind for a known benchmark name, or empty for a custom set. */
    public static Optional<DatasetKind> known(String name) {
        for (String p : UNSUPPORTED_PREFIXES) {
            if (name.startsWith(p)) {
                throw new io.moslora.cli.UserError(name + ": VLMEvalKit scores this benchmark with its own rule, which "
                        + "this evaluator does not implement yet; use --kind to score it as mcq/yorn/vqa knowingly");
            }
        }
        if (name.startsWith("MathVista")) {
            return Optional.of(DatasetKind.MATHVISTA);
        }
        if (name.startsWith("MMVet")) {
            return Optional.of(DatasetKind.MMVET);
        }
        for (String p : MCQ_PREFIXES) {
            if (name.startsWith(p)) {
                return Optional.of(isCircularName(name) ? DatasetKind.CIRCULAR : DatasetKind.MCQ);
            }
        }
        for (String p : YORN_PREFIXES) {
            if (name.startsWith(p)) {
                return Optional.of(DatasetKind.YORN);
            }
        }
        for (String p : VQA_PREFIXES) {
            if (name.startsWith(p)) {
                return Optional.of(DatasetKind.VQA);
            }
        }
        return Optional.empty();
    }

    /** The kind for {@code name}, falling back on the columns of a custom set. */
    public static DatasetKind kindOf(String name, Table table) {
        return known(name).orElseGet(() -> custom(name, table));
    }

    private static DatasetKind custom(String name, Table table) {
        if (table.has("A") && table.has("B")) {
            return isCircularName(name) ? DatasetKind.CIRCULAR : DatasetKind.MCQ;
        }
        return DatasetKind.VQA;
    }

    /** VLMEvalKit scores these names with CircularEval. */
    public static boolean isCircularName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.contains("mmbench") || lower.contains("ccbench") || lower.contains("circular")
                || lower.contains("mmcr");
    }

    /** MME gets its own rating (acc + acc+, perception/cognition); other Y/N sets plain accuracy. */
    public static boolean isMme(String name) {
        return name.contains("MME");
    }

    /** VQA scoring rule per name: VQA soft score (TextVQA and custom sets) or exact match (OCRVQA, GQA). */
    public static boolean usesExactMatch(String name) {
        return name.contains("OCRVQA") || name.contains("GQA");
    }
}
