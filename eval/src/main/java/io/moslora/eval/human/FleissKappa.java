package io.moslora.eval.human;

/**
 * Fleiss' kappa: agreement of a fixed number of raters who each put every item into one of k categories, corrected
 * for the agreement their overall category shares would give by chance. 1 = full agreement, 0 = chance level.
 */
public final class FleissKappa {
    private FleissKappa() {}

    /**
     * @param counts counts[i][j] = how many raters put item i into category j; every row sums to the same n
     * @return kappa, or NaN when undefined (fewer than 2 raters, or every vote in one category)
     */
    public static double of(int[][] counts) {
        int items = counts.length;
        if (items == 0) {
            return Double.NaN;
        }
        int categories = counts[0].length;
        int raters = 0;
        for (int c : counts[0]) {
            raters += c;
        }
        if (raters < 2) {
            return Double.NaN;
        }
        double[] share = new double[categories];
        double meanAgreement = 0;
        for (int[] row : counts) {
            int sum = 0;
            int squares = 0;
            for (int j = 0; j < categories; j++) {
                sum += row[j];
                squares += row[j] * row[j];
                share[j] += row[j];
            }
            if (sum != raters) {
                throw new IllegalArgumentException("every item needs the same number of raters");
            }
            meanAgreement += (double) (squares - raters) / (raters * (raters - 1.0));
        }
        meanAgreement /= items;
        double chance = 0;
        for (int j = 0; j < categories; j++) {
            double p = share[j] / (items * (double) raters);
            chance += p * p;
        }
        return chance == 1.0 ? Double.NaN : (meanAgreement - chance) / (1 - chance);
    }
}
