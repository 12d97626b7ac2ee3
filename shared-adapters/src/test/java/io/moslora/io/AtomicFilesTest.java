package io.moslora.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir Path dir;

    @Test
    void failedWriteLeavesThePreviousFileAndNoTemporary() throws IOException {
        Path target = dir.resolve("out.txt");
        AtomicFiles.writeString(target, "good");
        assertThatThrownBy(() -> AtomicFiles.writeStream(target, out -> {
            out.write("half".getBytes());
            throw new IOException("disk full");
        })).hasMessageContaining("disk full");
        assertThat(Files.readString(target)).isEqualTo("good");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("out.txt");
        }
    }

    @Test
    void writtenFilesGetThePermissionsOfAnyNewFile() throws IOException {
        Path target = dir.resolve("adapter_config.json");
        AtomicFiles.writeString(target, "{}");
        Path plain = Files.createFile(dir.resolve("plain.txt"));
        assertThat(Files.getPosixFilePermissions(target)).isEqualTo(Files.getPosixFilePermissions(plain));
    }

    @Test
    void sharedDataIsFoundBesideTheCheckout() {
        assertThat(SharedData.root()).isPresent();
        assertThat(SharedData.require("clip-bpe/bpe_simple_vocab_16e6.txt.gz")).isRegularFile();
    }
}
