package io.moslora.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import io.moslora.cli.UserError;
import org.junit.jupiter.api.Test;

class TorchLogLevelTest {
    @Test
    void parsesPyTorchsNamesAndNumbers() {
        assertThat(TorchLogLevel.parse("INFO")).isZero();
        assertThat(TorchLogLevel.parse("warning")).isEqualTo(1);
        assertThat(TorchLogLevel.parse(" ERROR ")).isEqualTo(2);
        assertThat(TorchLogLevel.parse("3")).isEqualTo(3);
        assertThatThrownBy(() -> TorchLogLevel.parse("quiet")).isInstanceOf(UserError.class)
                .hasMessage("TORCH_CPP_LOG_LEVEL='quiet' is not a log level: use INFO, WARNING, ERROR or FATAL (or 0-3), or unset it");
    }

    @Test
    void setsTheThresholdOfTheLibc10TheEngineUses() {
        Engine.getEngine("PyTorch"); // loaded or not, the flag is found in the same library file
        int before = TorchLogLevel.set(2);
        try {
            assertThat(before).isBetween(0, 3);
            assertThat(TorchLogLevel.threshold()).isEqualTo(2);
            TorchLogLevel.set(3);
            assertThat(TorchLogLevel.threshold()).isEqualTo(3);
        } finally {
            TorchLogLevel.set(before);
        }
        assertThat(TorchLogLevel.threshold()).isEqualTo(before);
    }
}
