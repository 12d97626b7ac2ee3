package io.moslora.eval.text;

import java.util.List;

/**
 * {@code numpy.mean} bit for bit: numpy sums float64 arrays pairwise (8 interleaved partial sums in blocks of up to
 * 128, halves above that), which can differ from a plain loop in the last digit — and the score files print every
 * digit.
 */
public final class NumpyMean {
    private static final int BLOCK = 128;

    private NumpyMean() {}

    public static double mean(double[] values) {
        return values.length == 0 ? Double.NaN : pairwiseSum(values, 0, values.length) / values.length;
    }

    public static double mean(List<Double> values) {
        double[] a = new double[values.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = values.get(i);
        }
        return mean(a);
    }

    static double pairwiseSum(double[] a, int start, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) {
                res += a[start + i];
            }
            return res;
        }
        if (n <= BLOCK) {
            double[] r = new double[8];
            for (int j = 0; j < 8; j++) {
                r[j] = a[start + j];
            }
            int i;
            for (i = 8; i < n - (n % 8); i += 8) {
                for (int j = 0; j < 8; j++) {
                    r[j] += a[start + i + j];
                }
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                res += a[start + i];
            }
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
    }
}
