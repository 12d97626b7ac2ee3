package io.moslora.eval.cli;

import static io.moslora.eval.data.TestTables.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moslora.cli.Cli;
import io.moslora.eval.data.TestTables;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Cli.run(new EvalCommand(), new PrintWriter(out), new PrintWriter(err), args);
    }

    private Path mme() {
        return TestTables.write(dir, "MME.tsv", row("index", "image_path", "question", "answer", "category"),
                row("1", "a.jpg", "q", "Yes", "existence"), row("2", "a.jpg", "q", "No", "existence"),
                row("3", "b.jpg", "q", "Yes", "OCR"), row("4", "b.jpg", "q", "No", "OCR"),
                row("5", "c.jpg", "q", "Yes", "text_translation"), row("6", "c.jpg", "q", "No", "text_translation"));
    }

    @Test
    void scoreJsonForMme() throws Exception {
        Path preds = TestTables.write(dir, "m_MME.tsv", row("index", "prediction"), row("1", "Yes"), row("2", "No"),
                row("3", "Yes"), row("4", "Yes"), row("5", "No"), row("6", "No"));
        int code = run("score", "--data", mme().toString(), "--predictions", preds.toString(), "--json");
        assertThat(code).as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        // existence 100+100; OCR 50+0; text_translation 50+0
        assertThat(json.get("perception").asDouble()).isEqualTo(250.0);
        assertThat(json.get("cognition").asDouble()).isEqualTo(50.0);
        assertThat(json.get("total").asDouble()).isEqualTo(300.0);
        assertThat(json.get("overall").asDouble()).isEqualTo(300.0 / 2800 * 100);
        assertThat(json.get("category").get("OCR").asDouble()).isEqualTo(50.0);
        assertThat(Files.readString(dir.resolve("m_MME_score.csv"))).startsWith(
                "\"perception\",\"reasoning\",\"existence\",\"OCR\",\"text_translation\"\n\"250.0\",\"50.0\",");
    }

    @Test
    void kindOverrideAndTextOutput() {
        Path data = TestTables.write(dir, "quiz.tsv", row("index", "question", "answer"), row("1", "q", "A"),
                row("2", "q", "B"));
        Path preds = TestTables.write(dir, "p.csv", "index,prediction", "1,A", "2,A");
        // as VQA (the default for a set without options) the single-answer soft score is 0 for both
        assertThat(run("score", "--data", data.toString(), "--predictions", preds.toString())).isZero();
        assertThat(out.toString()).contains("quiz (vqa)").contains("overall: 0.00");
        out.getBuffer().setLength(0);
        // forced to MCQ: question 1 right, question 2 wrong (no options, letter "A" is not an option -> "Z")
        assertThat(run("score", "--data", data.toString(), "--predictions", preds.toString(), "--kind", "mcq",
                "--json")).isZero();
        assertThat(out.toString()).contains("\"kind\":\"mcq\"").contains("\"overall\":0.0");
    }

    @Test
    void judgeOnlySetsNeedAJudge() throws Exception {
        Path data = TestTables.write(dir, "MMVet.tsv", row("index", "question", "answer", "category"),
                row("1", "q", "a", "rec"));
        Path preds = TestTables.write(dir, "p.tsv", row("index", "prediction"), row("1", "a"));
        assertThat(run("score", "--data", data.toString(), "--predictions", preds.toString(), "--json")).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("status").asText()).isEqualTo("needs judge");
        assertThat(json.get("overall").isNull()).isTrue();
        assertThat(Files.exists(dir.resolve("p_score.csv"))).isFalse();
    }

    @Test
    void badInputIsOneLineAndExitCodeOne() {
        Path preds = TestTables.write(dir, "short.tsv", row("index", "prediction"), row("1", "Yes"));
        int code = run("score", "--data", mme().toString(), "--predictions", preds.toString());
        assertThat(code).isEqualTo(Cli.USER_ERROR);
        assertThat(err.toString().strip()).startsWith("error: " + preds).contains("column 'prediction'")
                .contains("first missing index 2").doesNotContain("\n");
        assertThat(Files.exists(dir.resolve("short_score.csv"))).isFalse();
    }

    @Test
    void commonsenseScore() throws Exception {
        Path d = dir.resolve("boolq");
        Files.createDirectories(d);
        Path data = d.resolve("test.json");
        Files.writeString(data, "[{\"instruction\":\"q1\",\"input\":\"\",\"answer\":\"true\"},"
                + "{\"instruction\":\"q2\",\"input\":\"\",\"answer\":\"false\"}]");
        Path res = dir.resolve("LLaMA-7B-LoRA-boolq.json");
        Files.writeString(res, "[{\"instruction\":\"q1\",\"answer\":\"true\",\"output_pred\":\"the correct answer is true\"},"
                + "{\"instruction\":\"q2\",\"answer\":\"false\",\"output_pred\":\"true\"}]");
        assertThat(run("commonsense-score", "--dataset", data.toString(), "--predictions", res.toString(), "--json"))
                .as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("overall").asDouble()).isEqualTo(50.0);
        assertThat(json.get("datasets").get("BoolQ").get("correct").asInt()).isEqualTo(1);

        Path wrongOrder = dir.resolve("swapped.json");
        Files.writeString(wrongOrder, "[{\"instruction\":\"q2\",\"output_pred\":\"x\"},"
                + "{\"instruction\":\"q1\",\"output_pred\":\"y\"}]");
        assertThat(run("commonsense-score", "--dataset", data.toString(), "--predictions", wrongOrder.toString()))
                .isEqualTo(Cli.USER_ERROR);
        assertThat(err.toString()).contains(wrongOrder + ": row 1 field 'instruction'");
    }

    @Test
    void mmVetWithAJudgeEndpointOnLoopback() throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            // "hello" (the endpoint check) gets a greeting; grading prompts get 0.8
            String content = body.contains("Correctness") ? "0.8" : "Hi";
            byte[] reply = ("{\"choices\":[{\"message\":{\"content\":\"" + content + "\"}}]}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, reply.length);
            ex.getResponseBody().write(reply);
            ex.close();
        });
        server.start();
        try {
            Path data = TestTables.write(dir, "MMVet.tsv", row("index", "question", "answer", "category"),
                    row("1", "q", "a", "rec"), row("2", "q", "b", "ocr,rec"));
            Path preds = TestTables.write(dir, "m_MMVet.tsv", row("index", "prediction"), row("1", "a"), row("2", "c"));
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
            assertThat(run("score", "--data", data.toString(), "--predictions", preds.toString(), "--judge-url", url,
                    "--judge-model", "judge-x", "--json")).as(err.toString()).isZero();
            JsonNode json = new ObjectMapper().readTree(out.toString());
            assertThat(json.get("overall").asDouble()).isEqualTo(1.6 / 2 * 100);
            assertThat(json.get("judge").asText()).isEqualTo("judge-x");
            assertThat(dir.resolve("m_MMVet_judge-x_score.csv")).isRegularFile();
        } finally {
            server.stop(0);
        }
    }
}
