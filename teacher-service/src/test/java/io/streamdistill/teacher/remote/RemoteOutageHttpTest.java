package io.streamdistill.teacher.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.teacher.http.InferenceServer;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherUnavailableException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A remote teacher's outage as the service's HTTP face shows it (the stream's side is {@link
 * RemoteOutageTopologyTest}): {@code /health} and readiness say the breaker is open, and {@code /predict}
 * and {@code infer} answer 503 with the reason, at once rather than after the stream's wait for the probe.
 */
class RemoteOutageHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final OipStub stub = new OipStub();
  private final HttpClient http = HttpClient.newHttpClient();
  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private RemoteTeacher teacher;
  private InferenceServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
    if (teacher != null) {
      teacher.close();
    }
    stub.close();
  }

  /** The service's HTTP face on one remote teacher (id "remote", vectors of 2) that calls the stub. */
  private void start(Map<String, String> more) throws Exception {
    stub.start();
    Map<String, String> options = new HashMap<>(Map.of("url", "http://127.0.0.1:" + stub.port(), "model", "m"));
    options.putAll(more);
    OipOptions parsed = OipOptions.parse(options);
    teacher = OipTeacherLoader.load(new TeacherDescriptor("remote", "unused", OipTeacherLoader.KIND,
        List.of("a", "b"), TeacherDescriptor.VECTOR, 2, 0, Map.of(), Map.of(), Map.of()), parsed,
        new CircuitBreaker(parsed.breakerFailures(), parsed.breakerOpen()), d -> Thread.sleep(d.toMillis()));
    server = new InferenceServer(0, 1, List.of(teacher), meters, () -> "RUNNING", 1 << 20);
  }

  private HttpResponse<String> send(String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    if (body != null) {
      request.POST(HttpRequest.BodyPublishers.ofString(body));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldShowAnOpenBreakerInHealthAndAnswer503WhileTheRemoteIsDown() throws Exception {
    start(Map.of("retries", "0", "breakerFailures", "1", "breakerOpenMs", "60000"));
    assertEquals(200, send("/health", null).statusCode());

    stub.failures.set(Integer.MAX_VALUE);
    var predict = send("/predict", "{\"vector\": [1, 2]}");
    assertEquals(503, predict.statusCode(), predict.body());
    assertTrue(JSON.readTree(predict.body()).get("error").asText().contains("unavailable"), predict.body());

    var health = send("/health", null);
    assertEquals(503, health.statusCode());
    JsonNode remote = JSON.readTree(health.body()).get("teachers").get(0);
    assertEquals("OPEN", remote.get("breaker").asText());
    assertEquals(503, send("/v2/health/ready", null).statusCode());
    assertEquals(503, send("/v2/models/remote/ready", null).statusCode());
    assertTrue(meters.scrape().contains("distill_teacher_remote_breaker_open{teacher=\"remote\"} 1.0"),
        meters.scrape());
  }

  @Test
  void shouldAnswer503AtOnceWhileTheBreakerIsOpenRatherThanWaitForTheProbe() throws Exception {
    start(Map.of("retries", "0", "breakerFailures", "1", "breakerOpenMs", "5000"));
    assertEquals(200, send("/health", null).statusCode(), "warm: the timings below are the answers' alone");
    stub.failures.set(Integer.MAX_VALUE);
    // A stream batch meets the outage and opens the breaker for 5 s.
    assertThrows(TeacherUnavailableException.class,
        () -> teacher.newPredictor().predict(List.of(TeacherInput.ofVector(new float[] {1f, 2f}))));
    assertEquals(CircuitBreaker.State.OPEN, teacher.breakerState());
    int callsBefore = stub.inferCalls.get();

    long started = System.nanoTime();
    HttpResponse<String> predict = send("/predict", "{\"vector\": [1, 2]}");
    long predictMs = (System.nanoTime() - started) / 1_000_000;
    started = System.nanoTime();
    HttpResponse<String> infer = send("/v2/models/remote/infer",
        "{\"inputs\": [{\"name\": \"vector\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 2]}]}");
    long inferMs = (System.nanoTime() - started) / 1_000_000;

    assertEquals(503, predict.statusCode(), predict.body());
    assertTrue(predictMs < 1_000, "/predict answered in " + predictMs + " ms; breakerOpenMs is 5000");
    String reason = JSON.readTree(predict.body()).get("error").asText();
    assertTrue(reason.startsWith("remote teacher remote at http://127.0.0.1:" + stub.port() + " is unavailable:"
        + " circuit breaker OPEN"), reason);
    assertTrue(reason.contains("(last: HTTP 503: stub down)"), "the breaker's last failure: " + reason);
    assertEquals(503, infer.statusCode(), infer.body());
    assertTrue(inferMs < 1_000, "infer answered in " + inferMs + " ms; breakerOpenMs is 5000");
    assertTrue(JSON.readTree(infer.body()).get("error").asText().contains("(last: HTTP 503: stub down)"),
        infer.body());
    assertEquals(callsBefore, stub.inferCalls.get(), "refused without calling the remote");
    assertTrue(meters.scrape().contains("distill_teacher_remote_refused_total{teacher=\"remote\"} 2.0"),
        meters.scrape());
  }
}
