package io.moslora.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFolderTest {
    @TempDir Path dir;

    private List<String> names(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFolderAppearsWholeOrNotAtAll() throws IOException {
        Path target = dir.resolve("out");
        assertThatThrownBy(() -> AtomicFolder.write(target, tmp -> {
            Files.writeString(tmp.resolve("model.safetensors"), "half");
            Files.createDirectories(tmp.resolve("sub")).resolve("x").toFile().createNewFile();
            throw new IllegalArgumentException("bad tensor found late");
        })).hasMessage("bad tensor found late");
        assertThat(names(dir)).isEmpty(); // neither the target nor the temporary folder

        AtomicFolder.write(target, tmp -> Files.writeString(tmp.resolve("config.json"), "{}"));
        assertThat(names(dir)).containsExactly("out");
        assertThat(names(target)).containsExactly("config.json");
        // the folder gets the permissions of any folder made here (umask), not a temp folder's owner-only ones
        Path plain = Files.createDirectory(dir.resolve("plain"));
        assertThat(Files.getPosixFilePermissions(target)).isEqualTo(Files.getPosixFilePermissions(plain));
    }

    @Test
    void anEmptyTargetFolderIsFilledButAFullOneIsNeverReplaced() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        AtomicFolder.write(empty, tmp -> Files.writeString(tmp.resolve("a"), "1"));
        assertThat(names(empty)).containsExactly("a");
        assertThatThrownBy(() -> AtomicFolder.write(empty, tmp -> Files.writeString(tmp.resolve("b"), "2")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already exists");
        assertThat(names(empty)).containsExactly("a");
        assertThat(names(dir)).containsExactly("empty");
    }
}
