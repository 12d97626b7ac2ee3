package io.moslora.eval.human;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** What counts as an image file here (formats the JDK can decode), and listing them in a folder. */
public final class ImageFiles {
    private ImageFiles() {}

    public static boolean isImage(Path p) {
        String name = p.getFileName().toString();
        if (name.startsWith(".") || !Files.isRegularFile(p)) {
            return false;
        }
        String ext = extension(p);
        return ext.equals("jpg") || ext.equals("jpeg") || ext.equals("png");
    }

    /** Lower-case extension without the dot; "" when there is none. */
    public static String extension(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    public static String stem(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    /** Images directly inside {@code dir}, sorted by name. */
    public static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(ImageFiles::isImage).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Sub-folders of {@code dir} (hidden ones skipped), sorted by name. */
    public static List<Path> subfolders(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
