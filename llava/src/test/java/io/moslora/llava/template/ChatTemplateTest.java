package io.moslora.llava.template;

import static io.moslora.llava.tokenizer.ImageTokens.IGNORE_INDEX;
import static io.moslora.llava.tokenizer.ImageTokens.IMAGE_TOKEN_INDEX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moslora.cli.UserError;
import io.moslora.llava.data.Turn;
import io.moslora.llava.tokenizer.HfJsonTokenizer;
import io.moslora.llava.tokenizer.ImageTokens;
import io.moslora.llava.tokenizer.RealTokenizers;
import io.moslora.llava.tokenizer.SentencePieceTokenizer;
import io.moslora.llava.tokenizer.TextTokenizer;
import io.moslora.llava.tokenizer.TokenizerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {
    static SentencePieceTokenizer llama2;
    static SentencePieceTokenizer llama2NonLegacy;
    static HfJsonTokenizer llama3;

    @BeforeAll
    static void load() {
        llama2 = SentencePieceTokenizer.load(RealTokenizers.llama2Model(), Optional.empty());
        llama2NonLegacy = SentencePieceTokenizer.load(RealTokenizers.llama2Model(), Optional.of(new TokenizerConfig(
                Optional.of("<s>"), Optional.of("</s>"), Optional.empty(), Optional.of(false), Optional.of(true),
                Map.of(), Optional.empty(), Path.of("tokenizer_config.json"))));
        llama3 = HfJsonTokenizer.load(RealTokenizers.llama3TokenizerJson());
    }

    @AfterAll
    static void close() {
        llama2.close();
        llama2NonLegacy.close();
        llama3.close();
    }

    /**
     * The ids of LLaVA-1.5's vicuna_v1 prompt with an image, as printed by a LLaVA fork's tokenizer_image_token
     * (its prompt ended with "ASSISTANT: ", hence the final 29871).
     */
    static final int[] LLAVA_PROMPT_IDS = {1, 319, 13563, 1546, 263, 12758, 1404, 322, 385, 23116, 21082, 20255, 29889,
        450, 20255, 4076, 8444, 29892, 13173, 29892, 322, 1248, 568, 6089, 304, 278, 1404, 29915,
        29879, 5155, 29889, 3148, 1001, 29901, 29871, -200, 29871, 13, 11921, 881, 590, 1361, 4337,
        304, 565, 306, 864, 304, 6571, 29973, 319, 1799, 9047, 13566, 29901, 29871};
    static final String QUESTION = "<image>\nWhere should my hand move to if I want to {}?";

    @Test
    void llavaPromptWithImageGivesTheExactIdsWithMinus200() {
        VicunaV1Template t = new VicunaV1Template();
        String prompt = t.prompt(List.of(Turn.human(QUESTION)));
        assertThat(prompt).isEqualTo(VicunaV1Template.SYSTEM + " USER: " + QUESTION + " ASSISTANT:");
        assertThat(ImageTokens.tokenizeWithBos(prompt + " ", llama2)).containsExactly(LLAVA_PROMPT_IDS);
        int[] generation = t.generationPrompt(List.of(Turn.human(QUESTION)), llama2);
        assertThat(generation).containsExactly(java.util.Arrays.copyOf(LLAVA_PROMPT_IDS, LLAVA_PROMPT_IDS.length - 1));
    }

    static final List<Turn> TWO_ROUNDS = List.of(
            Turn.human("<image>\nWhat colour is the shape?"), Turn.gpt("Red"),
            Turn.human("How many circles are there?"), Turn.gpt("There are 3 circles."));

    /** The learned labels, as runs of consecutive learned positions. */
    static List<List<Integer>> learnedRuns(TokenizedConversation c) {
        List<List<Integer>> runs = new ArrayList<>();
        List<Integer> run = null;
        for (int i = 0; i < c.length(); i++) {
            if (c.labels()[i] == IGNORE_INDEX) {
                run = null;
                continue;
            }
            assertThat(c.labels()[i]).isEqualTo(c.inputIds()[i]);
            if (run == null) {
                run = new ArrayList<>();
                runs.add(run);
            }
            run.add(c.labels()[i]);
        }
        return runs;
    }

    static List<Integer> ids(int[] a, int... more) {
        List<Integer> l = new ArrayList<>(IntStream.of(a).boxed().toList());
        IntStream.of(more).forEach(l::add);
        return l;
    }

    @Test
    void vicunaV1LearnsExactlyTheAnswersAndTheirEndToken() {
        for (TextTokenizer tok : List.of(llama2, llama2NonLegacy)) {
            TokenizedConversation c = new VicunaV1Template().encode(TWO_ROUNDS, tok, 2048, true);
            assertThat(c.inputIds()[0]).isEqualTo(1);
            assertThat(IntStream.of(c.inputIds()).filter(i -> i == IMAGE_TOKEN_INDEX).count()).isEqualTo(1);
            // "▁Red" "</s>" and "▁There are 3 circles." "</s>": the answers as SentencePiece writes them after a space
            assertThat(learnedRuns(c)).as("legacy=" + tok.legacy())
                    .containsExactly(ids(llama2.encode("Red"), 2), ids(llama2.encode("There are 3 circles."), 2));
        }
        // The non-legacy tokenizer writes "USER" after "</s>" without the prefix space, one id fewer per later round.
        int[] legacyIds = new VicunaV1Template().encode(TWO_ROUNDS, llama2, 2048, true).inputIds();
        int[] nonLegacyIds = new VicunaV1Template().encode(TWO_ROUNDS, llama2NonLegacy, 2048, true).inputIds();
        assertThat(nonLegacyIds).hasSize(legacyIds.length - 1);
    }

    @Test
    void vicunaV1TextOnlyAndTruncation() {
        List<Turn> text = List.of(Turn.human("Hi"), Turn.gpt("Hello"));
        TokenizedConversation c = new VicunaV1Template().encode(text, llama2, 2048, false);
        assertThat(learnedRuns(c)).containsExactly(ids(llama2.encode("Hello"), 2));
        assertThat(c.inputIds()).doesNotContain(IMAGE_TOKEN_INDEX);
        TokenizedConversation cut = new VicunaV1Template().encode(text, llama2, 10, false);
        assertThat(cut.inputIds()).containsExactly(java.util.Arrays.copyOf(c.inputIds(), 10));
        assertThat(cut.labels()).containsOnly(IGNORE_INDEX);
    }

    @Test
    void llama3ChatFollowsXtunerEncodeFn() {
        List<Turn> turns = List.of(Turn.human("<image>\nWhat colour is the shape?"), Turn.gpt("red"),
                Turn.human("And the count?"), Turn.gpt("3"));
        TokenizedConversation c = XtunerTemplate.LLAMA3_CHAT.encode(turns, llama3, 2048, true);
        // <|begin_of_text|> <|start_header_id|> user <|end_header_id|> \n\n -200 \n What colour is the shape ? <|eot_id|> ...
        List<Integer> expected = new ArrayList<>(List.of(128000, 128006, 882, 128007, 271, IMAGE_TOKEN_INDEX));
        expected.addAll(ids(llama3.encode("\nWhat colour is the shape?"), 128009, 128006, 78191, 128007, 271));
        expected.addAll(ids(llama3.encode("red"), 128009));
        expected.addAll(List.of(128006, 882, 128007, 271));
        expected.addAll(ids(llama3.encode("And the count?"), 128009, 128006, 78191, 128007, 271));
        expected.addAll(ids(llama3.encode("3"), 128009));
        assertThat(ids(c.inputIds())).containsExactlyElementsOf(expected);
        assertThat(learnedRuns(c)).containsExactly(ids(llama3.encode("red"), 128009), ids(llama3.encode("3"), 128009));
        assertThat(llama3.encode("\nWhat colour is the shape?")[0]).isEqualTo(198);
    }

    @Test
    void internlm2ChatPutsAnUnlearnedNewlineBetweenRoundsAndBosOnce() {
        List<Turn> turns = List.of(Turn.human("Hi"), Turn.gpt("Yo"), Turn.human("Again"), Turn.gpt("Ok"));
        TokenizedConversation c = XtunerTemplate.INTERNLM2_CHAT.encode(turns, llama2, 2048, false);
        List<Integer> expected = new ArrayList<>(List.of(1));
        expected.addAll(ids(llama2.encode("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")));
        expected.addAll(ids(llama2.encode("Yo<|im_end|>")));
        expected.addAll(ids(llama2.encode("\n")));
        expected.addAll(ids(llama2.encode("<|im_start|>user\nAgain<|im_end|>\n<|im_start|>assistant\n")));
        expected.addAll(ids(llama2.encode("Ok<|im_end|>")));
        assertThat(ids(c.inputIds())).containsExactlyElementsOf(expected);
        assertThat(learnedRuns(c)).containsExactly(ids(llama2.encode("Yo<|im_end|>")), ids(llama2.encode("Ok<|im_end|>")));
        assertThat(ids(XtunerTemplate.INTERNLM2_CHAT.encode(turns, llama2, 5, false).inputIds())).containsExactlyElementsOf(expected.subList(0, 5));
    }

    @Test
    void jinjaChatTemplateOfRealLlama3ConfigRendersAndMasks() {
        TokenizerConfig cfg = TokenizerConfig.read(RealTokenizers.llama3TokenizerJson().resolveSibling("tokenizer_config.json"));
        JinjaChatTemplate t = new JinjaChatTemplate(cfg);
        List<Turn> turns = List.of(Turn.human(" Hi there "), Turn.gpt("Hello!"));
        assertThat(t.render(turns, false)).isEqualTo("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
        TokenizedConversation c = t.encode(turns, llama3, 2048, false);
        assertThat(c.inputIds()[0]).isEqualTo(128000);
        // This template always ends with an assistant header (it ignores add_generation_prompt); that tail is not learned.
        assertThat(learnedRuns(c)).containsExactly(ids(llama3.encode("Hello!"), 128009));
        assertThat(t.generationPrompt(List.of(Turn.human("Hi")), llama3)).endsWith(128006, 78191, 128007, 271);
    }

    @Test
    void jinjaRaiseExceptionBecomesAUserErrorNamingTheFile(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("tokenizer_config.json");
        Files.writeString(cfg, "{\"bos_token\":\"<s>\",\"chat_template\":\"{% if messages[0]['role'] != 'system' %}"
                + "{{ raise_exception('Conversation must start with system') }}{% endif %}{% if add_generation_prompt %}"
                + "{{ add_generation_prompt }}{% endif %}\"}");
        JinjaChatTemplate t = new JinjaChatTemplate(TokenizerConfig.read(cfg));
        assertThatThrownBy(() -> t.render(List.of(Turn.human("x")), true)).isInstanceOf(UserError.class)
                .hasMessageContaining(cfg.toString()).hasMessageContaining("Conversation must start with system");
    }

    @Test
    void jinjaBooleansPrintAsJinjavaDoes(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("tokenizer_config.json");
        Files.writeString(cfg, "{\"chat_template\":\"{{ add_generation_prompt }}|{{ messages|length }}\"}");
        // Python's Jinja prints True; Jinjava prints true. Templates that print booleans differ; tests pin it.
        assertThat(new JinjaChatTemplate(TokenizerConfig.read(cfg)).render(List.of(Turn.human("x")), true)).isEqualTo("true|1");
    }

    @Test
    void namesResolveAndUnknownNamesAreUserErrors() {
        assertThat(ChatTemplates.named("vicuna_v1", Path.of("x")).name()).isEqualTo("vicuna_v1");
        assertThat(ChatTemplates.named("llama3_chat", Path.of("x"))).isSameAs(XtunerTemplate.LLAMA3_CHAT);
        assertThat(ChatTemplates.named("jinja", RealTokenizers.llama3TokenizerJson())).isInstanceOf(JinjaChatTemplate.class);
        assertThatThrownBy(() -> ChatTemplates.named("chatml", Path.of("x"))).isInstanceOf(UserError.class)
                .hasMessageContaining("--template 'chatml'");
    }
}
