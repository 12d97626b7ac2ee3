package io.moslora.eval.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moslora.cli.UserError;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Random;

/**
 * A judge behind an OpenAI-compatible chat-completions endpoint, with VLMEvalKit's {@code OpenAIWrapper} rules:
 * one user message holding the prompt as a text part; {@code temperature} and {@code max_tokens} in the payload
 * ({@code n=1} only for api.openai.com); a 2xx reply whose first choice has non-empty content is an answer (stripped);
 * otherwise retry, 5 attempts in all, sleeping a random 0–2·wait seconds between attempts; after the last attempt
 * the failure message {@link Judge#FAILURE}.
 */
public final class JudgeClient implements Judge {
    /** VLMEvalKit's OpenAIWrapper default number of attempts. */
    public static final int ATTEMPTS = 5;

    /** How the client waits between attempts (tests pass a no-op). */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final String model;
    private final String key;
    private final int maxTokens;
    private final Duration wait;
    private final Sleeper sleeper;
    private final HttpClient http;
    private final Random random = new Random();
    private final Duration timeout;

    public JudgeClient(URI url, String model, String key, int maxTokens, Duration wait, Duration timeout,
            Sleeper sleeper) {
        this.url = url;
        this.model = model;
        this.key = key == null ? "" : key;
        this.maxTokens = maxTokens;
        this.wait = wait;
        this.timeout = timeout;
        this.sleeper = sleeper;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /**
     * The judge for {@code --judge-url/--judge-model}; the key is read from environment variable {@code keyEnv}.
     * {@code url} may be the base ({@code .../v1}) or the full {@code .../chat/completions} address.
     */
    public static JudgeClient fromOptions(String url, String model, String keyEnv, int maxTokens) {
        if (model == null || model.isBlank()) {
            throw new UserError("--judge-model: required with --judge-url (e.g. gpt-4o-mini)");
        }
        URI uri;
        try {
            String full = url.endsWith("/chat/completions") ? url
                    : url.replaceAll("/+$", "") + "/chat/completions";
            uri = URI.create(full);
            if (uri.getScheme() == null || !uri.getScheme().startsWith("http")) {
                throw new IllegalArgumentException("not an http(s) address");
            }
        } catch (IllegalArgumentException e) {
            throw new UserError("--judge-url: '" + url + "' is not a valid http(s) address (" + e.getMessage() + ")");
        }
        String key = System.getenv(keyEnv);
        return new JudgeClient(uri, model, key, maxTokens, Duration.ofSeconds(1), Duration.ofSeconds(300),
                d -> Thread.sleep(d.toMillis()));
    }

    /** The same endpoint with another reply limit (VLMEvalKit asks MathVista's judge for at most 128 tokens). */
    public JudgeClient withMaxTokens(int tokens) {
        return new JudgeClient(url, model, key, tokens, wait, timeout, sleeper);
    }

    @Override
    public String name() {
        return model;
    }

    /** The request body VLMEvalKit sends for a text-only prompt. */
    String payload(String prompt, double temperature) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        ArrayNode messages = body.putArray("messages");
        ObjectNode user = messages.addObject();
        user.put("role", "user");
        ObjectNode part = user.putArray("content").addObject();
        part.put("type", "text");
        part.put("text", prompt);
        if (url.getHost() != null && url.getHost().endsWith("openai.com")) {
            body.put("n", 1);
        }
        body.put("temperature", temperature);
        body.put("max_tokens", maxTokens);
        return body.toString();
    }

    @Override
    public String generate(String prompt, double temperature) {
        String last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                HttpRequest req = HttpRequest.newBuilder(url)
                        .timeout(timeout)
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + key)
                        .POST(HttpRequest.BodyPublishers.ofString(payload(prompt, temperature)))
                        .build();
                HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
                String answer = FAILURE;
                try {
                    JsonNode content = JSON.readTree(resp.body()).path("choices").path(0).path("message")
                            .path("content");
                    if (content.isTextual()) {
                        answer = io.moslora.eval.text.PyText.strip(content.asText());
                    }
                } catch (IOException e) {
                    // not JSON: keep the failure message, as the reference does
                }
                last = answer;
                boolean ok = resp.statusCode() >= 200 && resp.statusCode() < 300;
                if (ok && !answer.contains(FAILURE) && !answer.isEmpty()) {
                    return answer;
                }
            } catch (IOException e) {
                // network trouble counts as a failed attempt
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return FAILURE;
            }
            try {
                sleeper.sleep(Duration.ofMillis((long) (random.nextDouble() * wait.toMillis() * 2)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return FAILURE;
            }
        }
        return last == null || last.isEmpty() ? FAILURE : last;
    }

    /** VLMEvalKit's {@code working()}: up to five "hello"s; true once one gets a real answer. */
    public boolean working() {
        for (int i = 0; i < ATTEMPTS; i++) {
            String r = generate("hello", 0);
            if (!r.isEmpty() && !r.contains(FAILURE)) {
                return true;
            }
        }
        return false;
    }
}
