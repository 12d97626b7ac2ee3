package io.moslora.eval.human;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real headless Chromium driven over the DevTools protocol (JSON over a WebSocket, java.net.http only): one page,
 * with real mouse clicks and typing, script evaluation, downloads into a folder, and the page's errors collected.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger nextId = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final String session;

    /** The browser binary: $CHROMIUM, or chromium / chromium-browser / google-chrome on the PATH. */
    static Optional<Path> executable() {
        String env = System.getenv("CHROMIUM");
        if (env != null && !env.isBlank()) {
            return Optional.of(Path.of(env)).filter(Files::isExecutable);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : new String[] {"chromium", "chromium-browser", "google-chrome"}) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    HeadlessChromium(Path binary, Path workDir) throws Exception {
        Path profile = Files.createDirectories(workDir.resolve("profile"));
        process = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "about:blank")
                .redirectErrorStream(true).redirectOutput(workDir.resolve("chromium.log").toFile()).start();
        // Chromium writes the port it picked and the browser's WebSocket path into this file once it listens.
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<String> lines = List.of();
        while (lines.size() < 2) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                process.destroyForcibly();
                throw new IllegalStateException("chromium did not start: " + Files.readString(workDir.resolve("chromium.log")));
            }
            Thread.sleep(50);
            if (Files.exists(portFile)) {
                lines = Files.readAllLines(portFile);
            }
        }
        URI uri = URI.create("ws://127.0.0.1:" + lines.get(0).strip() + lines.get(1).strip());
        socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(TIMEOUT)
                .buildAsync(uri, new Listener()).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        String target = call("Target.createTarget", params("url", "about:blank"), null).get("targetId").asText();
        ObjectNode attach = params("targetId", target);
        attach.put("flatten", true);
        session = call("Target.attachToTarget", attach, null).get("sessionId").asText();
        call("Runtime.enable", params(), session);
        call("Log.enable", params(), session);
        call("Page.enable", params(), session);
    }

    static ObjectNode params(String... keyValues) {
        ObjectNode o = JSON.createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) {
            o.put(keyValues[i], keyValues[i + 1]);
        }
        return o;
    }

    /** Sends one command and waits for its result; a protocol error becomes an exception. */
    JsonNode call(String method, ObjectNode params, String sessionId) throws Exception {
        int id = nextId.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", params);
        if (sessionId != null) {
            msg.put("sessionId", sessionId);
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText(JSON.writeValueAsString(msg), true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        JsonNode r = reply.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (r.has("error")) {
            throw new IllegalStateException(method + ": " + r.get("error"));
        }
        return r.get("result");
    }

    /** Lets the browser save downloads into {@code dir} without asking. */
    void downloadInto(Path dir) throws Exception {
        ObjectNode p = params("behavior", "allow", "downloadPath", dir.toString());
        call("Browser.setDownloadBehavior", p, null);
    }

    /** Opens {@code url} in the page and waits until it has loaded. */
    void open(String url) throws Exception {
        call("Page.navigate", params("url", url), session);
        waitFor("document.readyState === 'complete' && location.href === " + JSON.writeValueAsString(url));
    }

    void reload() throws Exception {
        call("Page.reload", params(), session);
        Thread.sleep(100);
        waitFor("document.readyState === 'complete'");
    }

    /** Evaluates a JavaScript expression in the page and returns its value as JSON. */
    JsonNode eval(String expression) throws Exception {
        ObjectNode p = params("expression", expression);
        p.put("returnByValue", true);
        p.put("awaitPromise", true);
        JsonNode r = call("Runtime.evaluate", p, session);
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("page threw on '" + expression + "': " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    void waitFor(String condition) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!eval("!!(" + condition + ")").asBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + condition);
            }
            Thread.sleep(50);
        }
    }

    /** A real mouse click (press and release) in the middle of the element {@code selector} picks. */
    void click(String selector) throws Exception {
        String sel = JSON.writeValueAsString(selector);
        JsonNode box = eval("(() => { const e = document.querySelector(" + sel + "); e.scrollIntoView({block: 'center'});"
                + " const r = e.getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()");
        for (String type : new String[] {"mousePressed", "mouseReleased"}) {
            ObjectNode p = params("type", type, "button", "left");
            p.put("x", box.get("x").asDouble());
            p.put("y", box.get("y").asDouble());
            p.put("clickCount", 1);
            call("Input.dispatchMouseEvent", p, session);
        }
    }

    /** Types text into the focused element as keyboard input would. */
    void type(String text) throws Exception {
        call("Input.insertText", params("text", text), session);
    }

    /** Uncaught exceptions and console errors (including blocked loads and CSP violations) seen so far. */
    List<String> errors() {
        return events.stream().filter(e -> {
            String m = e.path("method").asText();
            return m.equals("Runtime.exceptionThrown")
                    || (m.equals("Log.entryAdded") && e.path("params").path("entry").path("level").asText().equals("error"))
                    || (m.equals("Runtime.consoleAPICalled") && e.path("params").path("type").asText().equals("error"));
        }).map(JsonNode::toString).toList();
    }

    @Override
    public void close() throws Exception {
        try {
            call("Browser.close", params(), null);
        } catch (Exception ignored) {
            // the process is ended below either way
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode msg = JSON.readTree(partial.toString());
                    if (msg.has("id")) {
                        CompletableFuture<JsonNode> reply = pending.remove(msg.get("id").asInt());
                        if (reply != null) {
                            reply.complete(msg);
                        }
                    } else {
                        events.add(msg);
                    }
                } catch (IOException e) {
                    pending.values().forEach(f -> f.completeExceptionally(e));
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }
}
