package io.moslora.eval.judge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The judge client against a tiny chat-completions server on 127.0.0.1 (no network). */
class JudgeClientTest {
    private HttpServer server;
    private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    private final List<String> auth = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile String reply = "B";
    private final List<Duration> sleeps = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            auth.add(ex.getRequestHeaders().getFirst("Authorization"));
            boolean fail = failuresLeft.getAndDecrement() > 0;
            String body = fail ? "{\"error\":\"busy\"}"
                    : "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":" + new ObjectMapper()
                            .writeValueAsString(reply) + "}}]}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(fail ? 503 : 200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private JudgeClient client() {
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/chat/completions");
        return new JudgeClient(url, "judge-mini", "sk-test", 128, Duration.ofSeconds(1), Duration.ofSeconds(10),
                sleeps::add);
    }

    @Test
    void sendsTheReferencePayloadAndStripsTheAnswer() throws Exception {
        reply = "  B \n";
        assertThat(client().generate("Which?", 0.5)).isEqualTo("B");
        assertThat(auth).containsExactly("Bearer sk-test");
        JsonNode body = new ObjectMapper().readTree(bodies.get(0));
        assertThat(body.get("model").asText()).isEqualTo("judge-mini");
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.5);
        assertThat(body.get("max_tokens").asInt()).isEqualTo(128);
        assertThat(body.has("n")).isFalse(); // only sent to api.openai.com
        JsonNode msg = body.get("messages").get(0);
        assertThat(msg.get("role").asText()).isEqualTo("user");
        assertThat(msg.get("content").get(0).get("type").asText()).isEqualTo("text");
        assertThat(msg.get("content").get(0).get("text").asText()).isEqualTo("Which?");
    }

    @Test
    void retriesFailuresWithRandomWaitsUpToTwiceTheWait() {
        failuresLeft.set(2);
        assertThat(client().generate("p", 0)).isEqualTo("B");
        assertThat(bodies).hasSize(3);
        assertThat(sleeps).hasSize(2).allMatch(d -> d.toMillis() >= 0 && d.toMillis() < 2000);
    }

    @Test
    void givesTheFailureMessageAfterFiveAttempts() {
        failuresLeft.set(100);
        JudgeClient c = client();
        assertThat(c.generate("p", 0)).isEqualTo(Judge.FAILURE);
        assertThat(bodies).hasSize(JudgeClient.ATTEMPTS);
        assertThat(c.working()).isFalse();
    }

    @Test
    void emptyAnswerIsRetried() {
        reply = "";
        assertThat(client().generate("p", 0)).isEqualTo(Judge.FAILURE);
        assertThat(bodies).hasSize(5);
    }
}
