package io.moslora.llava.chat;

import ai.djl.ndarray.NDManager;
import io.moslora.llava.data.Turn;
import io.moslora.llava.model.GenerationConfig;
import io.moslora.llava.model.Generator;
import io.moslora.llava.model.LlavaModel;
import io.moslora.llava.model.LlavaSample;
import io.moslora.llava.template.ChatTemplate;
import io.moslora.llava.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A conversation with a LLaVA model about one image: the template turns the history into prompt ids (the first
 * human turn carries {@code <image>}, which becomes −200), the model continues them, and the answer is cut at the
 * tokenizer's EOS or the template's stop words.
 */
public final class LlavaChat {
    /** What the model answered, with the ids and why it stopped. */
    public record Reply(String text, long[] tokens, Generator.StopReason reason) {}

    private final LlavaModel model;
    private final TextTokenizer tokenizer;
    private final ChatTemplate template;
    private final NDManager manager;
    private final List<Turn> history = new ArrayList<>();
    private float[] image;

    public LlavaChat(LlavaModel model, TextTokenizer tokenizer, ChatTemplate template, NDManager manager) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = template;
        this.manager = manager;
    }

    /**
     * Asks one question. {@code image} (normalised CHW floats) goes with the first question only, as in LLaVA's
     * demo; later questions refer back to it.
     */
    public Reply ask(String question, float[] image, GenerationSettings settings) {
        if (history.isEmpty()) {
            this.image = image;
        }
        boolean withImage = history.isEmpty() && image != null;
        history.add(Turn.human(withImage ? "<image>\n" + question : question));
        long[] ids = Arrays.stream(template.generationPrompt(history, tokenizer)).asLongStream().toArray();
        // the whole history is the prompt, so the first turn's image goes with every question
        List<float[]> images = this.image == null ? List.of() : List.of(this.image);
        Generator.Result r = Generator.generate(model, manager, new LlavaSample(ids, null, images), config(settings));
        String answer = cutAtStopWords(tokenizer.decode(Arrays.stream(r.tokens()).mapToInt(Math::toIntExact).toArray(),
                true)).strip();
        history.add(Turn.gpt(answer));
        return new Reply(answer, r.tokens(), r.reason());
    }

    /** Generation settings with this tokenizer's EOS and the template's stop words as id sequences. */
    public GenerationConfig config(GenerationSettings s) {
        List<long[]> stops = new ArrayList<>();
        for (String w : template.stopWords()) {
            long[] seq = Arrays.stream(tokenizer.encode(w)).asLongStream().toArray();
            if (seq.length > 0) {
                stops.add(seq);
            }
        }
        Set<Long> eos = tokenizer.eosId() >= 0 ? Set.of((long) tokenizer.eosId()) : Set.of();
        return new GenerationConfig(s.maxNewTokens(), s.temperature(), s.topP(), 0, s.seed(), eos, stops, true);
    }

    /** The stop word may also come out as ordinary text pieces; the answer ends where it first appears. */
    private String cutAtStopWords(String text) {
        int cut = text.length();
        for (String w : template.stopWords()) {
            int at = w.isEmpty() ? -1 : text.indexOf(w);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        return text.substring(0, cut);
    }

    /** The user's knobs for one answer. */
    public record GenerationSettings(int maxNewTokens, double temperature, double topP, long seed) {}
}
