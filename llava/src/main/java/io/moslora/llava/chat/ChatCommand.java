package io.moslora.llava.chat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.moslora.cli.UserError;
import io.moslora.llava.data.ClipImageProcessor;
import io.moslora.llava.data.StrictImageReader;
import io.moslora.llava.model.LlavaLoader;
import io.moslora.llava.model.LlavaModel;
import io.moslora.llava.template.ChatTemplate;
import io.moslora.llava.template.ChatTemplates;
import io.moslora.llava.tokenizer.TextTokenizer;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./moslora llava chat}: ask a LLaVA model about an image, once ({@code --prompt}) or line by line. */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Chat with a LLaVA model about an image.",
            "The model is a llava-hf folder (--model) or XTuner's parts (--llm, --visual-encoder, --projector).",
            "Without --prompt, questions are read line by line from standard input (an empty line or EOF ends)."})
public final class ChatCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "llava-hf checkpoint folder (config.json + safetensors)")
    Path model;

    @Option(names = "--llm", paramLabel = "DIR", description = "XTuner: the language model's folder")
    Path llm;

    @Option(names = "--visual-encoder", paramLabel = "DIR", description = "XTuner: the CLIP folder")
    Path visualEncoder;

    @Option(names = "--projector", paramLabel = "PATH", description = "XTuner: the projector's folder or safetensors file")
    Path projector;

    @Option(names = "--adapter", paramLabel = "DIR", description = "a PEFT adapter folder (LoRA or MoSLoRA) to apply")
    Path adapter;

    @Option(names = "--tokenizer", paramLabel = "PATH",
            description = "tokenizer.json / tokenizer.model or its folder (default: the model or LLM folder)")
    Path tokenizer;

    @Option(names = "--template", defaultValue = "vicuna_v1",
            description = "vicuna_v1, llama3_chat, internlm2_chat, jinja (default: ${DEFAULT-VALUE})")
    String template;

    @Option(names = "--image", paramLabel = "FILE", description = "the picture to talk about (PNG, JPEG, ...)")
    Path image;

    @Option(names = "--prompt", description = "one question; without it, read questions from standard input")
    String prompt;

    @Option(names = "--max-new-tokens", defaultValue = "512", description = "answer length limit (default: ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1.0", description = "nucleus sampling mass (default: ${DEFAULT-VALUE})")
    double topP;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the sampling draws (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--quantize", defaultValue = "none", description = "none, or nf4 for a 4-bit LLM (default: ${DEFAULT-VALUE})")
    String quantize;

    @Override
    public Integer call() throws IOException {
        checkOptions();
        PrintWriter out = spec.commandLine().getOut();
        try (NDManager m = NDManager.newBaseManager();
                TextTokenizer tok = TextTokenizer.open(tokenizer != null ? tokenizer : model != null ? model : llm)) {
            LlavaModel llava = model != null ? LlavaLoader.load(model, m, DataType.FLOAT32)
                    : LlavaLoader.loadParts(llm, visualEncoder, projector, m, DataType.FLOAT32);
            if (adapter != null) {
                LlavaAdapters.attach(llava, adapter, m);
            }
            ChatTemplate t = ChatTemplates.named(template, tokenizer != null ? tokenizer : model != null ? model : llm);
            LlavaChat chat = new LlavaChat(llava, tok, t, m);
            float[] pixels = image == null ? null : pixels(image, llava.config().visionConfig().imageSize());
            LlavaChat.GenerationSettings settings = new LlavaChat.GenerationSettings(maxNewTokens, temperature, topP, seed);
            if (prompt != null) {
                out.println(chat.ask(prompt, pixels, settings).text());
                return 0;
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            out.print("> ");
            out.flush();
            while ((line = in.readLine()) != null && !line.isBlank()) {
                out.println(chat.ask(line, pixels, settings).text());
                out.print("> ");
                out.flush();
            }
            out.println();
            return 0;
        }
    }

    private void checkOptions() {
        boolean parts = llm != null || visualEncoder != null || projector != null;
        if ((model == null) == !parts) {
            throw new UserError("give either --model DIR (llava-hf) or --llm, --visual-encoder and --projector (XTuner)");
        }
        if (parts && (llm == null || visualEncoder == null || projector == null)) {
            throw new UserError("XTuner models need all three of --llm, --visual-encoder and --projector");
        }
        if (!quantize.equals("none")) {
            // LinearSwap is the seam: the quant module's 4-bit Linear replaces the LLM's Linears after loading
            throw new UserError("--quantize " + quantize + ": 4-bit loading is not in this build yet; use --quantize none");
        }
        if (image != null && !Files.isRegularFile(image)) {
            throw new UserError(image + ": image file not found (--image)");
        }
    }

    /** LLaVA-1.5's preprocessing (pad to square with the CLIP mean colour, resize, crop, normalise). */
    private static float[] pixels(Path file, int size) {
        BufferedImage img;
        try {
            img = StrictImageReader.read(file);
        } catch (IOException e) {
            throw new UserError(file + ": not a readable image (--image): " + e.getMessage());
        }
        return new ClipImageProcessor(size, true).preprocess(img);
    }
}
