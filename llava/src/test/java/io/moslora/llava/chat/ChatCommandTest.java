package io.moslora.llava.chat;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moslora.adapters.AdapterConfig;
import io.moslora.adapters.AdapterInjector;
import io.moslora.adapters.AdapterKind;
import io.moslora.adapters.PeftAdapters;
import io.moslora.cli.Cli;
import io.moslora.config.LlavaConfig;
import io.moslora.config.TinyConfigs;
import io.moslora.engine.Seeds;
import io.moslora.io.SafetensorsWriter;
import io.moslora.llava.LlavaCommand;
import io.moslora.llava.data.ClipImageProcessor;
import io.moslora.llava.data.StrictImageReader;
import io.moslora.llava.data.Turn;
import io.moslora.llava.model.GenerationConfig;
import io.moslora.llava.model.Generator;
import io.moslora.llava.model.LlavaLoader;
import io.moslora.llava.model.LlavaModel;
import io.moslora.llava.model.LlavaSample;
import io.moslora.llava.template.VicunaV1Template;
import io.moslora.llava.tokenizer.TextTokenizer;
import io.moslora.nn.Parameter;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code llava chat} end to end on a tiny random LLaVA with a word-level tokenizer written here. */
class ChatCommandTest {
    static final List<String> WORDS = List.of("A", "chat", "between", "a", "curious", "user", "and", "an", "artificial",
            "intelligence", "assistant", ".", "The", "gives", "helpful", ",", "detailed", "polite", "answers", "to",
            "the", "'", "s", "questions", "USER", ":", "ASSISTANT", "What", "is", "this", "?");
    @TempDir Path dir;
    NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    @Test
    void answersAsTheModelGeneratesGreedilyFromTheVicunaPrompt() throws Exception {
        Path model = tinyCheckpoint(41);
        Path png = picture();
        String[] result = run("chat", "--model", model.toString(), "--image", png.toString(), "--prompt", "What is this?",
                "--max-new-tokens", "6");
        assertThat(result[1]).isEmpty();
        String expected = expectedAnswer(model, png, 6);
        assertThat(expected).isNotBlank(); // words of the toy vocabulary, so the comparison means something
        assertThat(result[0].strip()).isEqualTo(expected);
    }

    @Test
    void withoutPromptQuestionsComeFromStandardInputUntilAnEmptyLine() throws Exception {
        Path model = tinyCheckpoint(44);
        Path png = picture();
        java.io.InputStream stdin = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream("What is this?\nWhat is a chat?\n\nnot asked\n"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            String[] result = run("chat", "--model", model.toString(), "--image", png.toString(), "--max-new-tokens", "3");
            String first = expectedAnswer(model, png, 3);
            assertThat(result[0]).startsWith("> " + first + System.lineSeparator() + "> ");
            assertThat(result[0].split("> ", -1)).hasSize(4); // three prompts shown: two questions, then the empty line
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void aPeftAdapterOnTheLlmIsApplied() throws Exception {
        Path model = tinyCheckpoint(42);
        LlavaModel tuned = LlavaLoader.load(model, m, DataType.FLOAT32);
        Seeds.seed(5);
        AdapterConfig ac = AdapterConfig.of(AdapterKind.MOSLORA, 4, 8, List.of("q_proj", "v_proj"));
        AdapterInjector.inject(tuned.languageModel(), ac, m);
        // B starts at zero; give it values so the adapter changes the answer's logits
        tuned.languageModel().namedParameters().forEach((k, p) -> {
            if (k.endsWith("lora_B.weight")) {
                p.set(m.randomNormal(0f, 0.5f, p.shape(), DataType.FLOAT32));
            }
        });
        Path adapter = dir.resolve("adapter");
        PeftAdapters.save(tuned.languageModel(), ac, adapter);
        LlavaModel loaded = LlavaLoader.load(model, m, DataType.FLOAT32);
        LlavaModel plain = LlavaLoader.load(model, m, DataType.FLOAT32);
        LlavaAdapters.attach(loaded, adapter, m);
        List<LlavaSample> prompt = List.of(LlavaSample.text(new long[] {1, 30, 31, 32}, null));
        float[] expected = tuned.forward(m, prompt).logits().toFloatArray();
        assertThat(loaded.forward(m, prompt).logits().toFloatArray()).containsExactly(expected);
        assertThat(plain.forward(m, prompt).logits().toFloatArray()).isNotEqualTo(expected);
    }

    @Test
    void badOptionsAreOneLineErrors() throws Exception {
        assertThat(run("chat", "--help")[0]).contains("--image", "--adapter", "--visual-encoder");
        assertThat(run("--help")[0]).contains("chat");
        Path model = tinyCheckpoint(43);
        StringWriter err = new StringWriter();
        int code = Cli.run(new LlavaCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err),
                "chat", "--prompt", "hi");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("--model DIR");
        err = new StringWriter();
        code = Cli.run(new LlavaCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err),
                "chat", "--model", model.toString(), "--quantize", "nf4", "--prompt", "hi");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("--quantize nf4");
        err = new StringWriter();
        code = Cli.run(new LlavaCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err),
                "chat", "--model", model.toString(), "--image", dir.resolve("none.png").toString(), "--prompt", "hi");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("none.png: image file not found");
    }

    private String expectedAnswer(Path model, Path png, int maxNew) throws Exception {
        LlavaModel llava = LlavaLoader.load(model, m, DataType.FLOAT32);
        try (TextTokenizer tok = TextTokenizer.open(model)) {
            int[] ids = new VicunaV1Template().generationPrompt(List.of(Turn.human("<image>\nWhat is this?")), tok);
            assertThat(ids).contains(-200);
            float[] pixels = new ClipImageProcessor(32, true).preprocess(StrictImageReader.read(png));
            GenerationConfig cfg = GenerationConfig.greedy(maxNew, Set.of(2L));
            Generator.Result r = Generator.generate(llava, m,
                    new LlavaSample(Arrays.stream(ids).asLongStream().toArray(), null, List.of(pixels)), cfg);
            return tok.decode(Arrays.stream(r.tokens()).mapToInt(Math::toIntExact).toArray(), true).strip();
        }
    }

    private String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new LlavaCommand(), new PrintWriter(out), new PrintWriter(err), args);
        assertThat(code).as(err.toString()).isZero();
        return new String[] {out.toString(), err.toString()};
    }

    /** A random tiny LLaVA saved as a llava-hf folder, with a word-level tokenizer.json over ids below 256. */
    private Path tinyCheckpoint(long seed) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("model-" + seed));
        try (InputStream in = TinyConfigs.class.getResourceAsStream("tiny/tiny-llava.json")) {
            Files.copy(in, folder.resolve("config.json"));
        }
        Seeds.seed(seed);
        LlavaModel model = new LlavaModel(TinyConfigs.load("tiny-llava", LlavaConfig.class));
        model.materialize(m, DataType.FLOAT32);
        SafetensorsWriter w = new SafetensorsWriter();
        for (var e : model.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            NDArray a = p.array();
            w.add(e.getKey(), a);
        }
        w.write(folder.resolve("model.safetensors"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode tok = json.createObjectNode();
        tok.put("version", "1.0");
        ArrayNode added = tok.putArray("added_tokens");
        String[] specials = {"<unk>", "<s>", "</s>"};
        ObjectNode vocab = json.createObjectNode();
        for (int i = 0; i < specials.length; i++) {
            ObjectNode t = added.addObject();
            t.put("id", i).put("content", specials[i]).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
            vocab.put(specials[i], i);
        }
        for (int i = 0; i < WORDS.size(); i++) {
            vocab.put(WORDS.get(i), 3 + i);
        }
        for (int i = 3 + WORDS.size(); i < 256; i++) {
            vocab.put("w" + i, i);
        }
        tok.putNull("normalizer");
        tok.putObject("pre_tokenizer").put("type", "Whitespace");
        tok.putNull("post_processor");
        tok.putNull("decoder");
        tok.putObject("model").put("type", "WordLevel").put("unk_token", "<unk>").set("vocab", vocab);
        Files.writeString(folder.resolve("tokenizer.json"), json.writeValueAsString(tok));
        return folder;
    }

    private Path picture() throws Exception {
        BufferedImage img = new BufferedImage(48, 40, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(3);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 48; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        Path png = dir.resolve("picture.png");
        ImageIO.write(img, "png", png.toFile());
        return png;
    }
}
