package io.streamdistill.teacher.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.http.InferenceServer;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.model.TeacherUnavailableException;
import io.streamdistill.teacher.testing.FakeTeacher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code oip} teacher against real HTTP on loopback: the service's own server, and a stub that fails on cue. */
class OipTeacherTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<TeacherInput> BATCH = List.of(TeacherInput.ofVector(new float[] {1f, 2f}),
      TeacherInput.ofVector(new float[] {0.25f, -1f}), TeacherInput.ofVector(new float[] {3f, 0.5f}));

  private final List<AutoCloseable> open = new ArrayList<>();
  private final OipStub stub = new OipStub();
  private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(open);
    for (AutoCloseable c : open) {
      c.close();
    }
    stub.close();
  }

  private static TeacherDescriptor declared(String input, int width) {
    return new TeacherDescriptor("remote", "unused", OipTeacherLoader.KIND, List.of("a", "b"), input, width, 0,
        Map.of(), Map.of(), Map.of());
  }

  private static OipOptions options(int port, String model, Map<String, String> more) {
    Map<String, String> options = new HashMap<>(Map.of("url", "http://127.0.0.1:" + port, "model", model));
    options.putAll(more);
    return OipOptions.parse(options);
  }

  private <T extends AutoCloseable> T closing(T resource) {
    open.add(resource);
    return resource;
  }

  /** Loads against the stub, with backoff recorded (not slept) unless {@code realSleep}. */
  private RemoteTeacher stubTeacher(Map<String, String> more, boolean realSleep) throws IOException {
    stub.start();
    OipOptions options = options(stub.port(), "m", more);
    return closing(OipTeacherLoader.load(declared(TeacherDescriptor.VECTOR, 2), options,
        new CircuitBreaker(options.breakerFailures(), options.breakerOpen()), d -> {
          sleeps.add(d);
          if (realSleep) {
            Thread.sleep(d.toMillis());
          }
        }));
  }

  @Test
  void shouldLabelABatchInOneCallToAnotherTeacherServiceWithItsLogitsClassesAndVersion() throws Exception {
    FakeTeacher local = FakeTeacher.vector("local", 2, 1.5f);
    InferenceServer server = closing(new InferenceServer(0, 2, List.of(local),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> "RUNNING", 1 << 20));

    try (Teacher remote = OipTeacherLoader.load(declared(TeacherDescriptor.VECTOR, 2),
        options(server.port(), "local", Map.of()));
        TeacherPredictor predictor = remote.newPredictor()) {
      assertEquals("v1", remote.descriptor().version(), "the version is the server's");
      assertEquals(List.of("a", "b"), remote.descriptor().classes());
      int callsBefore = local.callSizes.size();
      List<Prediction> predictions = predictor.predict(BATCH);

      assertEquals(List.of(3), local.callSizes.subList(callsBefore, local.callSizes.size()), "one call for the batch");
      for (int i = 0; i < BATCH.size(); i++) {
        assertArrayEquals(FakeTeacher.expectedLogits(BATCH.get(i).vector(), 1.5f), predictions.get(i).logits(), 1e-6f);
        assertNull(predictions.get(i).embedding());
      }
    }
  }

  @Test
  void shouldCarryTextAndItsEmbeddingThroughTheProtocol() throws Exception {
    InferenceServer server = closing(new InferenceServer(0, 1, List.of(FakeTeacher.text("mail")),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> "RUNNING", 1 << 20));
    try (Teacher remote = OipTeacherLoader.load(declared(TeacherDescriptor.TEXT, 0),
        options(server.port(), "mail", Map.of()))) {
      assertEquals(2, remote.descriptor().embeddingWidth(), "the embedding's width from the metadata");
      List<Prediction> predictions = remote.newPredictor().predict(List.of(TeacherInput.ofText("héllo \"you\"")));
      assertArrayEquals(new float[] {11f, -11f}, predictions.get(0).logits(), 1e-6f);
      assertArrayEquals(new float[] {1f, 0f}, predictions.get(0).embedding(), 1e-6f);
    }
  }

  @Test
  void shouldSendStructuredRecordsAsBytesOfJsonObjects() throws Exception {
    stub.start();
    stub.metadataInput = "fields";
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("proto", "tcp");
    fields.put("bytes", 512.0);
    fields.put("flag", null);
    try (RemoteTeacher teacher = OipTeacherLoader.load(declared(TeacherDescriptor.STRUCTURED, 0),
        options(stub.port(), "m", Map.of()))) {
      teacher.newPredictor().predict(List.of(TeacherInput.ofFields(fields)));
    }
    JsonNode input = JSON.readTree(stub.lastRequest.get()).get("inputs").get(0);
    assertEquals("fields", input.get("name").asText());
    assertEquals("BYTES", input.get("datatype").asText());
    assertEquals(1, input.get("shape").get(0).asInt());
    assertEquals(JSON.readTree("{\"proto\": \"tcp\", \"bytes\": 512.0, \"flag\": null}"),
        JSON.readTree(input.get("data").get(0).asText()));
  }

  @Test
  void shouldRetryWithExponentialBackoffAndSucceed() throws Exception {
    RemoteTeacher teacher = stubTeacher(Map.of("retries", "3", "backoffMs", "100"), false);
    stub.failures.set(2);
    stub.failStatus = 503;

    List<Prediction> predictions = teacher.newPredictor().predict(BATCH);

    assertEquals(3, predictions.size());
    assertEquals(3, stub.inferCalls.get(), "two failures, then the answer");
    assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200)), sleeps, "backoff doubles");
    assertEquals(CircuitBreaker.State.CLOSED, teacher.breakerState());
  }

  @Test
  void shouldFailTheBatchAsUnavailableWhenTheRetriesAreSpent() throws Exception {
    RemoteTeacher teacher = stubTeacher(Map.of("retries", "2", "backoffMs", "10"), false);
    stub.failures.set(Integer.MAX_VALUE);
    stub.failStatus = 502;

    TeacherUnavailableException e = assertThrows(TeacherUnavailableException.class,
        () -> teacher.newPredictor().predict(BATCH));

    assertEquals(3, stub.inferCalls.get(), "the first call and 2 retries");
    assertTrue(e.getMessage().contains("HTTP 502: stub down"), e.getMessage());
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    teacher.bindTo(meters);
    assertEquals(3.0, meters.get("distill.teacher.remote.failures").tag("reason", "status").functionCounter().count());
    assertEquals(2.0, meters.get("distill.teacher.remote.retries").functionCounter().count());
    assertEquals(1.0, meters.get("distill.teacher.remote.unavailable").functionCounter().count());
  }

  @Test
  void shouldHoldOffAsLongAsARateLimitedServerAsksWithoutRetryingBeforeThen() throws Exception {
    RemoteTeacher teacher = stubTeacher(Map.of("retries", "2", "backoffMs", "100", "breakerOpenMs", "300"), false);
    stub.failures.set(1);
    stub.failStatus = 429;
    stub.failRetryAfter = "30";

    TeacherUnavailableException e = assertThrows(TeacherUnavailableException.class,
        () -> teacher.newFailFastPredictor().predict(BATCH));

    assertTrue(e.getMessage().contains("HTTP 429: stub down (the server asks to be called again in 30 s:"
        + " Retry-After)"), e.getMessage());
    assertEquals(1, stub.inferCalls.get(), "no retry before the server's time");
    assertEquals(List.of(), sleeps, "nor a wait for it in the call");
    assertEquals(CircuitBreaker.State.OPEN, teacher.breakerState(), "open after one failure, not five");
    // Held off for the server's 30 s, not the breaker's 300 ms: no call made meanwhile.
    TeacherUnavailableException held = assertThrows(TeacherUnavailableException.class,
        () -> teacher.newFailFastPredictor().predict(BATCH));
    assertTrue(held.getMessage().matches("(?s).*next probe in (29|30)\\d{3} ms.*"), held.getMessage());
    assertEquals(1, stub.inferCalls.get());
  }

  @Test
  void shouldAskARateLimitedServerAgainInPlaceAfterTheShortWaitItAsksForAndLetFewerCallsAtOnce() throws Exception {
    RemoteTeacher teacher = stubTeacher(Map.of("retries", "0", "breakerOpenMs", "5000"), true);
    stub.failures.set(2);
    stub.failStatus = 429;
    stub.failRetryAfter = "1";

    long started = System.nanoTime();
    assertEquals(3, teacher.newPredictor().predict(BATCH).size(), "no retry spent: retries is 0");
    long tookMs = (System.nanoTime() - started) / 1_000_000;

    assertEquals(3, stub.inferCalls.get(), "asked again after each wait");
    // A wait of the server's second before each, then the start spaced at half the rate the server refused.
    assertTrue(sleeps.size() >= 2 && sleeps.get(0).toMillis() > 900 && sleeps.get(1).toMillis() > 900,
        "the server's second waited before each: " + sleeps);
    assertTrue(tookMs >= 1_800, "waited the server's second twice: " + tookMs + " ms");
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    teacher.bindTo(meters);
    assertEquals(2.0, meters.get("distill.teacher.remote.over.rate").functionCounter().count());
    assertEquals(0.0, meters.get("distill.teacher.remote.unavailable").functionCounter().count());
    assertEquals(2.0, meters.get("distill.teacher.remote.calls.allowed").gauge().value(),
        "one call in flight when told: one, then one more after an answer within the rate");
    assertEquals(CircuitBreaker.State.CLOSED, teacher.breakerState());

    // An HTTP caller waits for no server: it is refused at once and falls back.
    stub.failures.set(1);
    TeacherUnavailableException held = assertThrows(TeacherUnavailableException.class,
        () -> teacher.newFailFastPredictor().predict(BATCH));
    assertTrue(held.getMessage().contains("Retry-After"), held.getMessage());
  }

  @Test
  void shouldBoundABatchsTimeByItsTimeoutsRetriesAndBreaker() throws Exception {
    RemoteTeacher teacher = stubTeacher(Map.of("timeoutMs", "2000", "retries", "2", "backoffMs", "100",
        "breakerOpenMs", "5000"), false);
    // One call a batch, whatever its size: 10 s of waits servers ask for, the probe's wait, 3 calls of 2 s, 100 +
    // 200 ms of backoff.
    assertEquals(Duration.ofMillis(10_000 + 5_000 + 6_000 + 300), teacher.longestPredict(64));
    assertEquals(teacher.longestPredict(1), teacher.longestPredict(10_000));
  }

  @Test
  void shouldTimeOutASlowServer() throws Exception {
    RemoteTeacher teacher = stubTeacher(Map.of("retries", "1", "backoffMs", "1", "timeoutMs", "600"), false);
    stub.delayMs = 5_000;

    long started = System.nanoTime();
    TeacherUnavailableException e = assertThrows(TeacherUnavailableException.class,
        () -> teacher.newPredictor().predict(BATCH));
    long tookMs = (System.nanoTime() - started) / 1_000_000;

    assertTrue(e.getMessage().contains("no answer within 600 ms"), e.getMessage());
    assertTrue(tookMs >= 1_200 && tookMs < 4_000, "two calls of about 600 ms each, took " + tookMs + " ms");
  }

  @Test
  void shouldOpenTheBreakerAfterConsecutiveFailuresThenProbeAndClose() throws Exception {
    RemoteTeacher teacher = stubTeacher(Map.of("retries", "0", "breakerFailures", "3", "breakerOpenMs", "300"), true);
    TeacherPredictor predictor = teacher.newPredictor();
    stub.failures.set(Integer.MAX_VALUE);
    for (int i = 0; i < 3; i++) {
      assertThrows(TeacherUnavailableException.class, () -> predictor.predict(BATCH));
    }
    assertEquals(CircuitBreaker.State.OPEN, teacher.breakerState());
    assertEquals(3, stub.inferCalls.get());
    String outage = teacher.outage().orElseThrow();
    assertTrue(outage.contains("failing (circuit breaker OPEN), last: HTTP 503"), outage);

    // Open: the next batch waits for the probe moment, and the one probe fails: open again.
    long started = System.nanoTime();
    assertThrows(TeacherUnavailableException.class, () -> predictor.predict(BATCH));
    assertTrue(System.nanoTime() - started >= Duration.ofMillis(250).toNanos(), "waited for the probe moment");
    assertEquals(4, stub.inferCalls.get(), "only the probe reached the server");
    assertEquals(CircuitBreaker.State.OPEN, teacher.breakerState());

    // The remote is back: the next probe succeeds and closes the breaker.
    stub.failures.set(0);
    assertEquals(3, predictor.predict(BATCH).size());
    assertEquals(CircuitBreaker.State.CLOSED, teacher.breakerState());
    assertEquals(5, stub.inferCalls.get());
    assertTrue(teacher.outage().isEmpty(), "answering again");
  }

  @Test
  void shouldFailAtOnceForAFailFastCallerWhileTheStreamStillWaitsForTheProbe() throws Exception {
    RemoteTeacher teacher = stubTeacher(Map.of("retries", "0", "breakerFailures", "1", "breakerOpenMs", "800"), true);
    stub.failures.set(Integer.MAX_VALUE);
    assertThrows(TeacherUnavailableException.class, () -> teacher.newPredictor().predict(BATCH));
    assertEquals(CircuitBreaker.State.OPEN, teacher.breakerState());

    long started = System.nanoTime();
    TeacherUnavailableException fast = assertThrows(TeacherUnavailableException.class,
        () -> teacher.newFailFastPredictor().predict(BATCH));
    long fastMs = (System.nanoTime() - started) / 1_000_000;
    assertTrue(fastMs < 200, "refused in " + fastMs + " ms");
    assertTrue(fast.getMessage().contains("is unavailable: circuit breaker OPEN after 1 consecutive failures (last:"
        + " HTTP 503: stub down); next probe in "), fast.getMessage());
    assertEquals(1, stub.inferCalls.get(), "refused without a call");

    started = System.nanoTime();
    assertThrows(TeacherUnavailableException.class, () -> teacher.newPredictor().predict(BATCH));
    long streamMs = (System.nanoTime() - started) / 1_000_000;
    assertTrue(streamMs >= 500, "the stream's batch waited for the probe moment: " + streamMs + " ms");
    assertEquals(2, stub.inferCalls.get(), "and then was the probe");
  }

  @Test
  void shouldNotRetryNorOpenTheBreakerWhenTheServerRefusesTheBatch() throws Exception {
    RemoteTeacher teacher = stubTeacher(Map.of("retries", "3", "breakerFailures", "1"), false);
    stub.failures.set(Integer.MAX_VALUE);
    stub.failStatus = 400;

    TeacherException e = assertThrows(TeacherException.class, () -> teacher.newPredictor().predict(BATCH));

    assertFalse(e instanceof TeacherUnavailableException, "the input's fault: the labeller isolates it");
    assertTrue(e.getMessage().contains("HTTP 400"), e.getMessage());
    assertEquals(1, stub.inferCalls.get());
    assertEquals(CircuitBreaker.State.CLOSED, teacher.breakerState());
  }

  @Test
  void shouldRefuseTheBatchOnA500UnlessRetryStatusListsIt() throws Exception {
    RemoteTeacher teacher = stubTeacher(Map.of("retries", "3", "breakerFailures", "1"), false);
    stub.failures.set(Integer.MAX_VALUE);
    stub.failStatus = 500;

    TeacherException e = assertThrows(TeacherException.class, () -> teacher.newPredictor().predict(BATCH));

    assertFalse(e instanceof TeacherUnavailableException, "by default a 500 is about the batch");
    assertTrue(e.getMessage().contains("refused the batch (HTTP 500): stub down"), e.getMessage());
    assertEquals(1, stub.inferCalls.get(), "not retried");
    assertEquals(CircuitBreaker.State.CLOSED, teacher.breakerState());
  }

  /** Triton answers 500 for transient faults too: listed in retryStatus, it is an outage, never a dead letter. */
  @Test
  void shouldRetryA500ListedInRetryStatusAndThenFailTheBatchAsUnavailable() throws Exception {
    RemoteTeacher teacher = stubTeacher(Map.of("retries", "2", "backoffMs", "10", "breakerFailures", "5",
        "retryStatus", "429,500,502,503,504"), false);
    stub.failStatus = 500;
    stub.failures.set(1);
    assertEquals(3, teacher.newPredictor().predict(BATCH).size(), "a transient 500, retried, then answered");
    assertEquals(2, stub.inferCalls.get());

    stub.failures.set(Integer.MAX_VALUE);
    TeacherException e = assertThrows(TeacherException.class, () -> teacher.newPredictor().predict(BATCH));

    assertInstanceOf(TeacherUnavailableException.class, e, "an outage: the batch waits, nothing is dead-lettered");
    assertEquals(5, stub.inferCalls.get(), "the first call and 2 retries");
    assertTrue(e.getMessage().contains("is unavailable") && e.getMessage().contains("HTTP 500: stub down"),
        e.getMessage());
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    teacher.bindTo(meters);
    assertEquals(4.0, meters.get("distill.teacher.remote.failures").tag("reason", "status").functionCounter().count(),
        "each 500 counts towards the breaker");
  }

  @Test
  void shouldRefuseAtOnceAnAnswerWhoseLogitsAreNotTheShapeTheMetadataPromised() throws Exception {
    RemoteTeacher teacher = stubTeacher(Map.of("retries", "3", "breakerFailures", "1"), false);
    stub.answer = "{\"outputs\": [{\"name\": \"logits\", \"shape\": [1, 2], \"datatype\": \"FP32\","
        + " \"data\": [1, 2]}]}";

    TeacherException e = assertThrows(TeacherException.class, () -> teacher.newPredictor().predict(BATCH));

    assertFalse(e instanceof TeacherUnavailableException, "a mismatch, not an outage: the labeller dead-letters it");
    assertTrue(e.getMessage().contains("not with what it was declared to (2 classes)"), e.getMessage());
    assertTrue(e.getMessage().contains("has shape [1, 2], expected [3, 2]"), e.getMessage());
    assertEquals(1, stub.inferCalls.get(), "not retried");
    assertEquals(CircuitBreaker.State.CLOSED, teacher.breakerState(), "the server is up");
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    teacher.bindTo(meters);
    assertEquals(1.0, meters.get("distill.teacher.remote.mismatched").functionCounter().count());
  }

  @Test
  void shouldTreatAnAnswerThatIsNotJsonAsTheRemotesFault() throws Exception {
    RemoteTeacher teacher = stubTeacher(Map.of("retries", "1"), false);
    stub.answer = "<html>502 from a proxy, with status 200</html>";

    TeacherUnavailableException e = assertThrows(TeacherUnavailableException.class,
        () -> teacher.newPredictor().predict(BATCH));
    assertTrue(e.getMessage().contains("the answer was not JSON"), e.getMessage());
    assertEquals(2, stub.inferCalls.get());
  }

  @Test
  void shouldFailUnavailableWhenNothingListens() throws Exception {
    RemoteTeacher teacher = stubTeacher(Map.of("retries", "1", "backoffMs", "1"), false);
    stub.close();

    TeacherUnavailableException e = assertThrows(TeacherUnavailableException.class,
        () -> teacher.newPredictor().predict(BATCH));
    assertTrue(e.getMessage().contains("ConnectException"), e.getMessage());
    assertTrue(e.getMessage().contains("connection refused: is the server running"), e.getMessage());
    assertFalse(e.getMessage().contains("null"), e.getMessage());
  }

  @Test
  void shouldRefuseARemoteWhoseClassesAreNotTheDeclaredOnes() throws Exception {
    stub.start();
    TeacherDescriptor other = new TeacherDescriptor("remote", "x", OipTeacherLoader.KIND, List.of("ham", "spam"),
        TeacherDescriptor.VECTOR, 2, 0, Map.of(), Map.of(), Map.of());
    TeacherException e = assertThrows(TeacherException.class,
        () -> OipTeacherLoader.load(other, options(stub.port(), "m", Map.of())));
    assertTrue(e.getMessage().contains("has classes [a, b], but teacher.json says [ham, spam]"), e.getMessage());
    TeacherException unknown = assertThrows(TeacherException.class,
        () -> OipTeacherLoader.load(declared(TeacherDescriptor.VECTOR, 2), options(stub.port(), "nobody", Map.of())));
    assertTrue(unknown.getMessage().contains("has no model 'nobody'"), unknown.getMessage());
  }

  @Test
  void shouldLoadFromATeacherDirectoryThatListsNoFiles(@TempDir Path dir) throws Exception {
    stub.start();
    Files.writeString(dir.resolve("teacher.json"), """
        {"id": "remote-mnist", "version": "from-server", "kind": "oip", "classes": ["a", "b"], "input": "vector",
         "vectorWidth": 2, "files": {}, "options": {"url": "http://127.0.0.1:%d", "model": "m", "modelVersion": "7"}}
        """.formatted(stub.port()));
    try (Teacher teacher = TeacherCatalog.load(dir.toString())) {
      assertInstanceOf(RemoteTeacher.class, teacher);
      assertEquals("7", teacher.descriptor().version(), "the pinned version");
      assertEquals(3, teacher.newPredictor().predict(BATCH).size());
    }
    assertTrue(stub.paths.contains("/v2/models/m/versions/7/infer"), stub.paths.toString());

    Files.writeString(dir.resolve("teacher.json"), """
        {"id": "remote-mnist", "version": "1", "kind": "oip", "classes": ["a", "b"], "input": "vector",
         "vectorWidth": 2, "files": {}, "options": {"model": "m"}}
        """);
    TeacherException e = assertThrows(TeacherException.class, () -> TeacherCatalog.load(dir.toString()));
    assertTrue(e.getMessage().contains("url (the inference server's base URL) is missing"), e.getMessage());

    // A mistake in teacher.json is said in the descriptor's words and where, not in Jackson's.
    Files.writeString(dir.resolve("teacher.json"), """
        {"id": "remote-mnist", "version": "1", "kind": "oip", "classes": ["a", "b"],
         "input": "texts", "vectorWidth": 2, "files": {}, "options": {"model": "m"}}
        """);
    TeacherException badInput = assertThrows(TeacherException.class, () -> TeacherCatalog.load(dir.toString()));
    assertTrue(badInput.getMessage().endsWith("teacher.json (line 2): teacher.json: input must be \"vector\","
        + " \"text\" or \"structured\", not texts"), badInput.getMessage());
    Files.writeString(dir.resolve("teacher.json"), "{\"id\": \"remote-mnist\",\n \"version\": }\n");
    TeacherException notJson = assertThrows(TeacherException.class, () -> TeacherCatalog.load(dir.toString()));
    assertTrue(notJson.getMessage().contains("teacher.json (line 2): Unexpected character ('}'"), notJson.getMessage());
    assertFalse(notJson.getMessage().contains("REDACTED"), notJson.getMessage());
  }
}
