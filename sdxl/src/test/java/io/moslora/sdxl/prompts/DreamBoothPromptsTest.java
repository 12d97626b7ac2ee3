package io.moslora.sdxl.prompts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moslora.cli.UserError;
import io.moslora.io.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DreamBoothPromptsTest {
    private final DreamBoothPrompts prompts = DreamBoothPrompts.dreamBooth();

    @Test
    void shippedFileHoldsThe25And25PromptsAnd30Subjects() {
        assertThat(prompts.objectTemplates()).hasSize(25);
        assertThat(prompts.liveTemplates()).hasSize(25);
        assertThat(prompts.subjects()).hasSize(30);
        assertThat(prompts.subjects().stream().filter(DreamBoothPrompts.Subject::live)).hasSize(9);
        assertThat(prompts.objectTemplates().get(0)).isEqualTo("a {0} {1} in the jungle");
        assertThat(prompts.liveTemplates().get(13)).isEqualTo("a {0} {1} wearing a black top hat and a monocle");
        assertThat(prompts.subject("bear_plushie")).isEqualTo(new DreamBoothPrompts.Subject("bear_plushie", "stuffed animal", false));
    }

    @Test
    void shippedPromptsAreExactlyTheOnesInTheDreamBoothFile() throws Exception {
        // the python list literals of google/dreambooth's prompts_and_classes.txt, in order
        String source = Files.readString(SharedData.require("dreambooth/prompts_and_classes.txt"));
        Matcher m = Pattern.compile("'(.*?)'\\.format\\(unique_token, class_token\\)").matcher(source);
        List<String> all = new ArrayList<>();
        while (m.find()) {
            all.add(m.group(1));
        }
        assertThat(all).hasSize(50);
        assertThat(prompts.objectTemplates()).containsExactlyElementsOf(all.subList(0, 25));
        assertThat(prompts.liveTemplates()).containsExactlyElementsOf(all.subList(25, 50));
        assertThat(source).contains("\ncat,cat\n").contains("\nbear_plushie,stuffed animal\n");
        for (DreamBoothPrompts.Subject s : prompts.subjects()) {
            assertThat(source).contains("\n" + s.name() + "," + s.classNoun() + "\n");
        }
    }

    @Test
    void theCatGetsLiveSubjectPromptsFilledLikePythonFormat() {
        DreamBoothPrompts.Subject cat = prompts.subject("cat");
        List<String> filled = prompts.promptsFor(cat, "ikat");
        assertThat(filled).hasSize(25);
        assertThat(filled.get(0)).isEqualTo("a ikat cat in the jungle");
        assertThat(filled.get(10)).isEqualTo("a ikat cat wearing a red hat");
        assertThat(filled.get(24)).isEqualTo("a cube shaped ikat cat");
        assertThat(prompts.promptsFor(prompts.subject("teapot"), "sks").get(10))
                .isEqualTo("a sks teapot with a wheat field in the background");
    }

    @Test
    void userFilesWithMistakesNameTheLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prompts.txt");
        Files.writeString(file, "[object]\na {0} {1} on the moon\n[live]\na {0} {1} asleep\n");
        DreamBoothPrompts own = DreamBoothPrompts.read(file);
        assertThat(own.objectTemplates()).containsExactly("a {0} {1} on the moon");
        assertThat(own.subjects()).isEmpty();

        assertBad(file, "a {0} {1} somewhere\n", "line 1", "before any section");
        assertBad(file, "[objects]\n", "line 1", "unknown section");
        assertBad(file, "[object]\na {0} {2} here\n", "line 2", "{2}");
        assertBad(file, "[live]\na cat\n", "line 2", "no {0}");
        assertBad(file, "[subjects]\ncat, cat\n[live]\na {0} {1}\n", "line 2", "name, class noun");
        assertBad(file, "[subjects]\ncat, cat, pet\n", "line 2", "live or object");
        assertBad(file, "[subjects]\ncat, cat, live\ncat, cat, live\n[live]\na {0}\n", "line 3", "twice");
        assertBad(file, "# nothing\n", file.toString(), "no prompts");
        assertThatThrownBy(() -> DreamBoothPrompts.read(dir.resolve("missing.txt")))
                .isInstanceOf(UserError.class).hasMessageContaining("missing.txt");
        assertThatThrownBy(() -> prompts.subject("unicorn")).isInstanceOf(UserError.class).hasMessageContaining("unicorn");
    }

    private static void assertBad(Path file, String text, String where, String what) throws Exception {
        Files.writeString(file, text);
        assertThatThrownBy(() -> DreamBoothPrompts.read(file)).isInstanceOf(UserError.class)
                .hasMessageContaining(file.toString()).hasMessageContaining(where).hasMessageContaining(what);
    }
}
