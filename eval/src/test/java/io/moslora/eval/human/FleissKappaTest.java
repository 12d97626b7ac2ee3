package io.moslora.eval.human;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FleissKappaTest {
    /**
     * The worked example of Fleiss (1971) as reproduced in most textbooks: 10 items, 14 raters, 5 categories.
     * P̄ = 0.378022, P_e = 0.212755, κ = (P̄ − P_e)/(1 − P_e) = 0.209931 (published as 0.210).
     */
    @Test
    void textbookExample() {
        int[][] counts = {
            {0, 0, 0, 0, 14}, {0, 2, 6, 4, 2}, {0, 0, 3, 5, 6}, {0, 3, 9, 2, 0}, {2, 2, 8, 1, 1},
            {7, 7, 0, 0, 0}, {3, 2, 6, 3, 0}, {2, 5, 3, 2, 2}, {6, 5, 2, 1, 0}, {0, 2, 2, 3, 7},
        };
        assertThat(FleissKappa.of(counts)).isCloseTo(0.20993070442195522, within(1e-12));
    }

    @Test
    void perfectAgreementIsOneAndUndefinedCasesAreNaN() {
        assertThat(FleissKappa.of(new int[][] {{3, 0, 0}, {0, 3, 0}, {0, 0, 3}})).isEqualTo(1.0);
        assertThat(FleissKappa.of(new int[][] {{0, 3, 0}, {0, 3, 0}})).isNaN(); // one category: chance = 1
        assertThat(FleissKappa.of(new int[][] {{1, 0, 0}, {0, 1, 0}})).isNaN(); // one rater
    }
}
