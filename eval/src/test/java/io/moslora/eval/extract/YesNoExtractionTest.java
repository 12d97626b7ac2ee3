package io.moslora.eval.extract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class YesNoExtractionTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "Yes|Yes",
        "yes.|Yes",
        "No, it is not.|No",
        "Yes and no|Unknown",
        "Maybe|Unknown",
        // punctuation next to a space is removed, so "yes!" stays one word "yes"
        "Yes! it is|Yes",
        "nope|Unknown",
    })
    void extract(String output, String expected) {
        assertThat(YesNoExtraction.extract(output)).isEqualTo(expected);
    }
}
