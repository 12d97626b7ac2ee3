package io.moslora.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A whole output folder written under a hidden temporary name beside its target and renamed into place at the
 * end, so a failure part-way (a bad input found late, a full disk, a crash) leaves no half-written folder where
 * the user asked for one. The target must not exist, or be an empty folder: a finished result is never replaced.
 */
public final class AtomicFolder {
    private AtomicFolder() {}

    /** Fills a fresh folder; may throw anything, in which case nothing is left behind. */
    @FunctionalInterface
    public interface FolderWriter {
        void write(Path tmpFolder) throws IOException;
    }

    /**
     * Runs {@code writer} on an empty temporary folder and then renames that folder to {@code target}.
     *
     * @throws IllegalStateException when {@code target} exists and is not an empty folder (checked before any work)
     */
    public static void write(Path target, FolderWriter writer) {
        Path abs = target.toAbsolutePath().normalize();
        requireFree(abs);
        Path tmp = null;
        try {
            Files.createDirectories(abs.getParent());
            tmp = freshFolderBeside(abs);
            writer.write(tmp);
            requireFree(abs);
            Files.deleteIfExists(abs); // an empty folder the user made for us
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs);
            }
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    /**
     * A new hidden folder next to {@code target}. Not {@code Files.createTempDirectory}: that one is private to its
     * owner (rwx------), and the renamed result must get the permissions any folder the user makes gets (umask).
     */
    private static Path freshFolderBeside(Path target) throws IOException {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        while (true) {
            Path candidate = target.resolveSibling("." + target.getFileName() + "." + Long.toHexString(random.nextLong()) + ".tmp");
            try {
                return Files.createDirectory(candidate);
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                // another writer's name: draw again
            }
        }
    }

    private static void requireFree(Path target) {
        if (!Files.exists(target)) {
            return;
        }
        boolean emptyDir = false;
        if (Files.isDirectory(target)) {
            try (var entries = Files.list(target)) {
                emptyDir = entries.findAny().isEmpty();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + target + ": " + e.getMessage(), e);
            }
        }
        if (!emptyDir) {
            throw new IllegalStateException(target + " already exists and is not an empty folder");
        }
    }

    /** Best-effort removal of a temporary tree; the failure that got us here is what the user needs to see. */
    public static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // left for the user to remove; it is hidden and named after the target
        }
    }
}
