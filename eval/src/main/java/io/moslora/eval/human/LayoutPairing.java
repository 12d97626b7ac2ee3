package io.moslora.eval.human;

import io.moslora.cli.UserError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Pairs the images of two systems by subject and prompt. Every (subject, prompt) must exist on both sides: a
 * comparison silently missing half its prompts would bias the result. Inside one prompt folder a single image per
 * side pairs as is; several images (e.g. one per seed) pair by file name stem.
 */
public final class LayoutPairing {
    private LayoutPairing() {}

    public static List<ComparisonPair> pair(SystemLayout a, SystemLayout b) {
        requireSameKeys(a, b, "A", "B");
        requireSameKeys(b, a, "B", "A");
        List<ComparisonPair> pairs = new ArrayList<>();
        for (Map.Entry<String, Map<String, List<Path>>> subject : a.imagesByPrompt().entrySet()) {
            for (Map.Entry<String, List<Path>> prompt : subject.getValue().entrySet()) {
                List<Path> imagesA = prompt.getValue();
                List<Path> imagesB = b.imagesByPrompt().get(subject.getKey()).get(prompt.getKey());
                pairs.addAll(pairFolder(subject.getKey(), prompt.getKey(), imagesA, imagesB));
            }
        }
        return List.copyOf(pairs);
    }

    private static void requireSameKeys(SystemLayout x, SystemLayout y, String xName, String yName) {
        for (Map.Entry<String, Map<String, List<Path>>> subject : x.imagesByPrompt().entrySet()) {
            Map<String, List<Path>> other = y.imagesByPrompt().get(subject.getKey());
            for (String prompt : subject.getValue().keySet()) {
                if (other == null || !other.containsKey(prompt)) {
                    throw new UserError("system " + yName + " (" + y.root() + ") has no image for subject '"
                            + subject.getKey() + "', prompt '" + prompt + "' that system " + xName + " ("
                            + x.root() + ") has; generate it or remove that prompt folder from " + xName);
                }
            }
        }
    }

    private static List<ComparisonPair> pairFolder(String subject, String prompt, List<Path> imagesA,
                                                   List<Path> imagesB) {
        if (imagesA.size() == 1 && imagesB.size() == 1) {
            if (imagesA.get(0).equals(imagesB.get(0))) {
                throw sameImage(subject, prompt, imagesA.get(0));
            }
            return List.of(new ComparisonPair(subject, prompt, imagesA.get(0), imagesB.get(0)));
        }
        TreeSet<String> stemsA = stems(imagesA);
        TreeSet<String> stemsB = stems(imagesB);
        if (stemsA.size() != imagesA.size() || stemsB.size() != imagesB.size() || !stemsA.equals(stemsB)) {
            throw new UserError("subject '" + subject + "', prompt '" + prompt + "': system A has images " + stemsA
                    + " and system B has " + stemsB + "; with several images per prompt both sides need the same"
                    + " file names (e.g. one per seed), or pick one name per side with --a-name/--b-name");
        }
        List<ComparisonPair> pairs = new ArrayList<>();
        for (Path a : imagesA) {
            Path b = imagesB.stream().filter(p -> ImageFiles.stem(p).equals(ImageFiles.stem(a)))
                    .findFirst().orElseThrow();
            if (a.equals(b)) {
                throw sameImage(subject, prompt, a);
            }
            pairs.add(new ComparisonPair(subject, prompt, a, b));
        }
        return pairs;
    }

    private static UserError sameImage(String subject, String prompt, Path image) {
        return new UserError("subject '" + subject + "', prompt '" + prompt + "': systems A and B are both the file "
                + image + "; when both systems share one folder, pick their images with --a-name and --b-name");
    }

    private static TreeSet<String> stems(List<Path> images) {
        TreeSet<String> stems = new TreeSet<>();
        images.forEach(p -> stems.add(ImageFiles.stem(p)));
        return stems;
    }
}
