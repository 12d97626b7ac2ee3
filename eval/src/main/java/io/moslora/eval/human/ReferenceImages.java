package io.moslora.eval.human;

import io.moslora.cli.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds a subject's reference photos (the training images, e.g. DreamBooth's {@code dataset/cat/*.jpg}):
 * {@code DIR/{subject}/} when it exists, or {@code DIR} itself when its name is the subject.
 */
public final class ReferenceImages {
    private ReferenceImages() {}

    public static List<Path> forSubject(Path referenceDir, String subject) {
        if (!Files.isDirectory(referenceDir)) {
            throw new UserError("--reference " + referenceDir + ": not a folder; give the folder holding one folder"
                    + " of reference photos per subject");
        }
        Path folder = subjectFolder(referenceDir.toAbsolutePath().normalize(), subject);
        if (folder == null) {
            throw new UserError("--reference " + referenceDir + ": no folder '" + subject + "' with reference photos"
                    + " of subject '" + subject + "'; add it or point --reference at the folder above it");
        }
        List<Path> images = ImageFiles.list(folder);
        if (images.isEmpty()) {
            throw new UserError("--reference " + folder + ": no .jpg/.png reference photos for subject '" + subject
                    + "'; add some");
        }
        return images;
    }

    private static Path subjectFolder(Path dir, String subject) {
        Path child = dir.resolve(subject).normalize();
        // A subject named like "../x" must not lead outside the reference folder.
        if (child.getParent() != null && child.getParent().equals(dir) && Files.isDirectory(child)) {
            return child;
        }
        if (dir.getFileName() != null && dir.getFileName().toString().equals(subject)) {
            return dir;
        }
        return null;
    }
}
