package io.moslora.llava.template;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import io.moslora.cli.UserError;
import io.moslora.llava.data.Turn;
import io.moslora.llava.tokenizer.ImageTokens;
import io.moslora.llava.tokenizer.TextTokenizer;
import io.moslora.llava.tokenizer.TokenizerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Jinja {@code chat_template} of a {@code tokenizer_config.json}, rendered with Jinjava as transformers
 * renders it (trim_blocks, lstrip_blocks, {@code raise_exception}). Labels: the text each assistant message adds
 * after the prompt that asks for it ({@code add_generation_prompt}), up to its end-of-turn token, is learned,
 * found by rendering growing
 * prefixes of the conversation; each piece is tokenized on its own (templates put special tokens at those
 * borders, so this equals tokenizing the whole text).
 */
public final class JinjaChatTemplate implements ChatTemplate {
    private final String source;
    private final TokenizerConfig config;
    private final Jinjava jinjava;

    public JinjaChatTemplate(TokenizerConfig config) {
        this.config = config;
        this.source = config.chatTemplate().orElseThrow(() -> new UserError(
                config.file() + ": field chat_template is missing; pick a built-in template (vicuna_v1, llama3_chat, internlm2_chat)"));
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                JinjaChatTemplate.class, "raiseException", String.class));
    }

    /** What templates call to reject a conversation. */
    public static String raiseException(String message) {
        throw new TemplateRejected(message);
    }

    /** A conversation the template itself refused. */
    public static final class TemplateRejected extends RuntimeException {
        TemplateRejected(String message) {
            super(message);
        }
    }

    @Override
    public String name() {
        return "jinja:" + config.file();
    }

    /** The template's text for {@code turns}. */
    public String render(List<Turn> turns, boolean addGenerationPrompt) {
        List<Map<String, Object>> messages = new ArrayList<>();
        for (Turn t : turns) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("role", t.role() == Turn.Role.HUMAN ? "user" : "assistant");
            m.put("content", t.text());
            messages.add(m);
        }
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("messages", messages);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("bos_token", config.bosToken().orElse(""));
        vars.put("eos_token", config.eosToken().orElse(""));
        RenderResult r = jinjava.renderForResult(source, vars);
        for (var e : r.getErrors()) {
            if (e.getException() != null) {
                Throwable c = e.getException();
                while (c.getCause() != null && !(c instanceof TemplateRejected)) {
                    c = c.getCause();
                }
                throw new UserError(config.file() + ": chat_template rejected the conversation: " + c.getMessage());
            }
            if (e.getSeverity() == com.hubspot.jinjava.interpret.TemplateError.ErrorType.FATAL) {
                throw new UserError(config.file() + ": chat_template failed: " + e.getMessage());
            }
        }
        return r.getOutput();
    }

    @Override
    public TokenizedConversation encode(List<Turn> turns, TextTokenizer tok, int maxLength, boolean hasImage) {
        ChatTemplate.requireAlternating(turns, false);
        List<Integer> ids = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        String done = "";
        for (int i = 1; i < turns.size(); i += 2) {
            String prompt = render(turns.subList(0, i), true);
            String full = render(turns.subList(0, i + 1), false);
            if (!prompt.startsWith(done) || !full.startsWith(prompt)) {
                throw new UserError(config.file() + ": chat_template does not render conversations as growing prefixes; "
                        + "labels cannot be derived from it, pick a built-in template");
            }
            add(ids, labels, prompt.substring(done.length()), tok, false);
            String added = full.substring(prompt.length());
            int learnedEnd = learnedEnd(added, turns.get(i).text());
            add(ids, labels, added.substring(0, learnedEnd), tok, true);
            done = prompt + added.substring(0, learnedEnd);
        }
        String all = render(turns, false);
        add(ids, labels, all.substring(Math.min(done.length(), all.length())), tok, false);
        return new TokenizedConversation(toArray(ids), toArray(labels)).truncate(maxLength);
    }

    /**
     * Where the learned part of an assistant message's text ends: after its content (as the template wrote it,
     * e.g. trimmed) and the special token right after it (the end-of-turn marker); what follows (some templates
     * append the next header unconditionally) is not learned.
     */
    private int learnedEnd(String added, String content) {
        String c = content.strip();
        int at = c.isEmpty() ? -1 : added.indexOf(c);
        if (at < 0) {
            return added.length();
        }
        int end = at + c.length();
        String best = "";
        List<String> specials = new ArrayList<>(config.addedTokens().values());
        config.eosToken().ifPresent(specials::add);
        for (String s : specials) {
            if (!s.isEmpty() && added.startsWith(s, end) && s.length() > best.length()) {
                best = s;
            }
        }
        return end + best.length();
    }

    private static void add(List<Integer> ids, List<Integer> labels, String text, TextTokenizer tok, boolean learned) {
        for (int t : ImageTokens.tokenizeWithoutSpecials(text, tok)) {
            ids.add(t);
            labels.add(learned && t != ImageTokens.IMAGE_TOKEN_INDEX ? t : ImageTokens.IGNORE_INDEX);
        }
    }

    private static int[] toArray(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public int[] generationPrompt(List<Turn> turns, TextTokenizer tok) {
        ChatTemplate.requireAlternating(turns, true);
        return ImageTokens.tokenizeWithoutSpecials(render(turns, true), tok);
    }

    @Override
    public List<String> stopWords() {
        return config.eosToken().map(List::of).orElse(List.of());
    }
}
