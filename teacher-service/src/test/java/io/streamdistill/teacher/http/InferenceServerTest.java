package io.streamdistill.teacher.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.teacher.testing.FakeTeacher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The synchronous endpoint over real HTTP on loopback, with a stand-in teacher. */
class InferenceServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicReference<String> state = new AtomicReference<>("RUNNING");
  private InferenceServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start(FakeTeacher... teachers) throws Exception {
    server = new InferenceServer(0, 2, List.of(teachers), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        state::get, 4096);
  }

  private HttpResponse<String> post(String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/predict"))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldAnswerWithTheMeanOfTheTeachersProbabilities() throws Exception {
    start(FakeTeacher.vector("one", 2, 1f), FakeTeacher.vector("two", 2, 2f));
    HttpResponse<String> response = post("{\"vector\": [0.5, 0.5]}");
    assertEquals(200, response.statusCode(), response.body());
    JsonNode answer = JSON.readTree(response.body());
    // one: logits (1, -1); two: (2, -2). Mean of their softmax for class a:
    double expected = (1 / (1 + Math.exp(-2)) + 1 / (1 + Math.exp(-4))) / 2;
    assertEquals(expected, answer.get("probabilities").get(0).asDouble(), 1e-9);
    assertEquals("a", answer.get("label").asText());
    assertEquals(2, answer.get("teachers").size());
    assertEquals(2.0, answer.get("teachers").get(1).get("logits").get(0).asDouble(), 1e-6);
  }

  @Test
  void shouldRefuseBadInputWithTheSameReasonsAsTheStream() throws Exception {
    start(FakeTeacher.vector("mnist", 3, 1f));
    HttpResponse<String> wrongWidth = post("{\"vector\": [1, 2]}");
    assertEquals(400, wrongWidth.statusCode());
    assertEquals("vector has 2 values, teacher mnist expects 3", JSON.readTree(wrongWidth.body()).get("error").asText());
    assertEquals(400, post("not json").statusCode());
    assertEquals(400, post("{\"text\": \"hi\"}").statusCode());
    assertEquals(413, post("{\"vector\": [" + "1,".repeat(3000) + "1]}").statusCode());
    assertEquals(405, get("/predict").statusCode());
  }

  @Test
  void shouldReportHealthFromTheStreamState() throws Exception {
    start(FakeTeacher.text("mail"));
    assertEquals(200, get("/health").statusCode());
    state.set("ERROR");
    HttpResponse<String> down = get("/health");
    assertEquals(503, down.statusCode());
    assertEquals("DOWN", JSON.readTree(down.body()).get("status").asText());
  }

  @Test
  void shouldExposeMetricsInPrometheusFormat() throws Exception {
    start(FakeTeacher.text("mail"));
    assertEquals(200, post("{\"text\": \"hello\"}").statusCode());
    HttpResponse<String> metrics = get("/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("distill_teacher_http_predict_seconds_count 1"), metrics.body());
  }
}
