package io.moslora.eval.extract;

import io.moslora.eval.metric.VqaNormalizer;
import io.moslora.eval.text.PyText;
import java.util.List;

/** VLMEvalKit's {@code YOrN_Extraction}: "Yes" or "No" when exactly one of the two words occurs, else "Unknown". */
public final class YesNoExtraction {
    public static final String YES = "Yes";
    public static final String NO = "No";
    public static final String UNKNOWN = "Unknown";

    private YesNoExtraction() {}

    public static String extract(String output) {
        List<String> words = PyText.split(VqaNormalizer.processPunctuation(PyText.lower(output)));
        boolean yes = words.contains("yes");
        boolean no = words.contains("no");
        if (yes && !no) {
            return YES;
        }
        if (no && !yes) {
            return NO;
        }
        return UNKNOWN;
    }
}
