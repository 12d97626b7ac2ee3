package io.moslora.sdxl.prompts;

import io.moslora.cli.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The DreamBooth evaluation prompts: 25 templates for objects, 25 for live subjects, each with {@code {0}} for the
 * unique subject token and {@code {1}} for the class noun (DreamBooth's {@code format(unique_token, class_token)}),
 * plus the subject list of the DreamBooth dataset. The shipped set is {@link #dreamBooth()}; users can give their
 * own file in the same format:
 *
 * <pre>
 * # comment
 * [subjects]
 * name, class noun, live|object
 * [object]
 * a {0} {1} in the jungle
 * [live]
 * a {0} {1} wearing a red hat
 * </pre>
 */
public record DreamBoothPrompts(List<Subject> subjects, List<String> objectTemplates, List<String> liveTemplates) {
    /** Where the shipped file sits on the class path. */
    public static final String RESOURCE = "/io/moslora/sdxl/prompts/dreambooth_prompts.txt";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]*)}");

    /** One DreamBooth subject: its folder name, class noun, and whether the live-subject prompts apply. */
    public record Subject(String name, String classNoun, boolean live) {}

    public DreamBoothPrompts {
        subjects = List.copyOf(subjects);
        objectTemplates = List.copyOf(objectTemplates);
        liveTemplates = List.copyOf(liveTemplates);
    }

    /** The 25 + 25 prompts and 30 subjects of the DreamBooth paper, shipped with this module. */
    public static DreamBoothPrompts dreamBooth() {
        try (InputStream in = DreamBoothPrompts.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the sdxl jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + RESOURCE, e);
        }
    }

    /** A user's prompts file in the same format. */
    public static DreamBoothPrompts read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new UserError(file + ": cannot read prompts file (" + e.getMessage() + ")", e);
        }
    }

    /** Parses the text of a prompts file; {@code source} names it in errors. */
    public static DreamBoothPrompts parse(String text, String source) {
        Map<String, Subject> subjects = new LinkedHashMap<>();
        List<String> object = new ArrayList<>();
        List<String> live = new ArrayList<>();
        String section = null;
        String[] lines = text.split("\r?\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            String where = source + " line " + (n + 1);
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1).strip();
                if (!section.equals("subjects") && !section.equals("object") && !section.equals("live")) {
                    throw new UserError(where + ": unknown section [" + section + "]; use [subjects], [object] or [live]");
                }
                continue;
            }
            if (section == null) {
                throw new UserError(where + ": \"" + line + "\" comes before any section; start with [object] or [live]");
            }
            switch (section) {
                case "subjects" -> {
                    Subject s = subject(line, where);
                    if (subjects.putIfAbsent(s.name(), s) != null) {
                        throw new UserError(where + ": subject " + s.name() + " is listed twice");
                    }
                }
                case "object" -> object.add(template(line, where));
                default -> live.add(template(line, where));
            }
        }
        if (object.isEmpty() && live.isEmpty()) {
            throw new UserError(source + ": no prompts; add lines under [object] or [live]");
        }
        return new DreamBoothPrompts(new ArrayList<>(subjects.values()), object, live);
    }

    private static Subject subject(String line, String where) {
        String[] parts = line.split(",");
        if (parts.length != 3 || parts[0].isBlank() || parts[1].isBlank()) {
            throw new UserError(where + ": subject line \"" + line + "\" must be: name, class noun, live|object");
        }
        String kind = parts[2].strip();
        if (!kind.equals("live") && !kind.equals("object")) {
            throw new UserError(where + ": subject kind \"" + kind + "\" must be live or object");
        }
        return new Subject(parts[0].strip(), parts[1].strip(), kind.equals("live"));
    }

    /** A template may use only {0} and {1}, and must name the subject with {0}. */
    private static String template(String line, String where) {
        Matcher m = PLACEHOLDER.matcher(line);
        while (m.find()) {
            if (!m.group(1).equals("0") && !m.group(1).equals("1")) {
                throw new UserError(where + ": placeholder {" + m.group(1) + "} in \"" + line
                        + "\"; only {0} (subject token) and {1} (class noun) exist");
            }
        }
        if (!line.contains("{0}")) {
            throw new UserError(where + ": prompt \"" + line + "\" has no {0} for the subject token");
        }
        return line;
    }

    /** A template with the subject token and class noun put in. */
    public static String fill(String template, String subjectToken, String classNoun) {
        return template.replace("{0}", subjectToken).replace("{1}", classNoun);
    }

    /** The templates that apply to a subject: live-subject prompts for pets, object prompts otherwise. */
    public List<String> templatesFor(Subject subject) {
        return subject.live() ? liveTemplates : objectTemplates;
    }

    /** The filled prompts for a subject, e.g. "a ikat cat in the jungle". */
    public List<String> promptsFor(Subject subject, String subjectToken) {
        return templatesFor(subject).stream().map(t -> fill(t, subjectToken, subject.classNoun())).toList();
    }

    /** The subject of that name, or a clear error listing what exists. */
    public Subject subject(String name) {
        return subjects.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() -> new UserError(
                "subject " + name + " is not in the prompts file; known: "
                        + String.join(", ", subjects.stream().map(Subject::name).toList())));
    }
}
