package io.streamdistill.edge.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.edge.EdgeConfig;
import io.streamdistill.edge.EdgeNode;
import io.streamdistill.edge.TestVersions;
import io.streamdistill.edge.feedback.FeedbackSink;
import io.streamdistill.edge.versions.DeploymentSink;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.student.NgramSpec;
import io.streamdistill.student.RequestText;
import io.streamdistill.student.StudentFixtures;
import io.streamdistill.student.StudentInput;
import io.streamdistill.student.StudentWeights;
import io.streamdistill.student.VersionSigner;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** /authorize over real HTTP: the class's action, the headers a gateway reads, and what it gets when unsure. */
class GatewayEndpointTest {
  private static final GatewayPolicy POLICY = GatewayPolicy.parse(List.of("spam=deny", "ham=route:canary"), "allow",
      List.of("User-Agent"));

  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<InputEvent> fedBack = new CopyOnWriteArrayList<>();
  private EdgeNode node;
  private EdgeHttpServer server;
  private Http http;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
    if (node != null) {
      node.close();
    }
    metrics.close();
  }

  private void start(GatewayPolicy policy, double sampleRate) throws Exception {
    EdgeConfig config = EdgeConfig.defaults("node-1", "mail-ngram", List.of(TestVersions.KEYS.getPublic()))
        .withCascade(0, null, Duration.ofMillis(200)).withSampling(sampleRate, 64);
    node = new EdgeNode(config, metrics, DeploymentSink.discarding(), fedBack::add);
    server = new EdgeHttpServer(node, new EdgeHttpServer.Settings(0, 4, 64 * 1024, null, policy), metrics);
    http = new Http(server.port());
  }

  /** A random text student without bias, so that the request's n-grams, not a constant, pick its class. */
  private void offerTextStudent() {
    NgramSpec spec = StudentFixtures.tinyNgram();
    StudentWeights weights = StudentFixtures.randomWeights(spec, 1, 2f);
    weights.put(NgramSpec.OUTPUT_BIAS, new int[] {2}, new float[2]);
    node.offer(new VersionSigner(TestVersions.KEYS).sign(StudentFixtures.unsignedVersion("mail-ngram", 1, spec,
        weights)));
  }

  @Test
  void answersEachRequestWithTheActionOfTheClassTheStudentGivesItsRequestText() throws Exception {
    start(POLICY, 1.0);
    offerTextStudent();
    // Requests of both classes (the student is random but fixed): each answered with its class's action.
    Map<String, List<String>> byClass = new java.util.TreeMap<>();
    String[] words = {"id", "q", "page", "sort", "cart", "admin", "etc", "passwd", "select", "union", "script"};
    for (int i = 0; i < 2_000 && (byClass.getOrDefault("ham", List.of()).size() < 15
        || byClass.getOrDefault("spam", List.of()).size() < 15); i++) {
      String uri = "/" + words[i % words.length] + "/" + words[(i / 7) % words.length] + "?" + words[(i / 3)
          % words.length] + "=" + i;
      String label = node.predict(StudentInput.ofText(RequestText.of("GET", uri, List.of("user-agent"),
          name -> "agent-" + uri.length()))).label();
      byClass.computeIfAbsent(label, k -> new java.util.ArrayList<>()).add(uri);
    }
    assertEquals(Set.of("ham", "spam"), byClass.keySet(), "the fixed random student gives both classes");
    for (Map.Entry<String, List<String>> entry : byClass.entrySet()) {
      for (String uri : entry.getValue().subList(0, Math.min(15, entry.getValue().size()))) {
        HttpResponse<String> answer = http.post("/authorize", "", "X-Original-Method", "get", "X-Original-URI", uri,
            "User-Agent", "agent-" + uri.length());
        assertEquals(entry.getKey(), answer.headers().firstValue("X-Distill-Class").orElseThrow(), uri);
        if (entry.getKey().equals("spam")) {
          assertEquals(403, answer.statusCode(), answer.body());
          assertEquals("deny", answer.headers().firstValue("X-Distill-Action").orElseThrow());
          assertTrue(answer.headers().firstValue("X-Distill-Route").isEmpty());
        } else {
          assertEquals(200, answer.statusCode(), answer.body());
          assertEquals("route", answer.headers().firstValue("X-Distill-Action").orElseThrow());
          assertEquals("canary", answer.headers().firstValue("X-Distill-Route").orElseThrow());
        }
        assertEquals("student", answer.headers().firstValue("X-Distill-Answered-By").orElseThrow());
      }
    }
    // The requests go back to the loop as the text the trainer learns from (sample rate 1 here).
    String first = byClass.values().iterator().next().get(0);
    assertTrue(fedBack.stream().anyMatch(e -> e.getText().equals("GET " + first + "\nuser-agent: agent-"
        + first.length())), fedBack.toString());
  }

  @Test
  void answers503WithoutAVersionAnd400WithoutTheOriginalRequest() throws Exception {
    start(POLICY, 0);
    HttpResponse<String> noVersion = http.post("/authorize", "", "X-Original-URI", "/");
    assertEquals(503, noVersion.statusCode(), noVersion.body());
    offerTextStudent();
    HttpResponse<String> noUri = http.post("/authorize", "");
    assertEquals(400, noUri.statusCode());
    assertTrue(noUri.body().contains("X-Original-URI"), noUri.body());
    assertEquals(400, http.get("/authorize?x=1").statusCode(), "a GET without the header");
  }

  @Test
  void aStudentThatDoesNotReadTextIsUnavailableToTheGateway() throws Exception {
    EdgeConfig config = EdgeConfig.defaults("node-1", TestVersions.MODEL, List.of(TestVersions.KEYS.getPublic()));
    node = new EdgeNode(config, metrics, DeploymentSink.discarding(), FeedbackSink.discarding());
    server = new EdgeHttpServer(node, new EdgeHttpServer.Settings(0, 4, 64 * 1024, null, POLICY), metrics);
    http = new Http(server.port());
    node.offer(TestVersions.sure(3, 7));
    HttpResponse<String> answer = http.post("/authorize", "", "X-Original-URI", "/");
    assertEquals(503, answer.statusCode());
    assertTrue(answer.body().contains("reads text"), answer.body());
  }

  @Test
  void policiesAreCheckedWithTheFlagInTheMessage() {
    assertEquals(GatewayPolicy.Action.DENY, POLICY.actionFor("spam"));
    assertEquals(GatewayPolicy.Action.ALLOW, POLICY.actionFor("other"));
    assertEquals("route:canary", POLICY.actionFor("ham").toString());
    assertEquals(List.of("user-agent"), POLICY.headers());
    for (var bad : List.of(List.of("spam"), List.of("spam=block"), List.of("spam=route:a b"),
        List.of("spam=deny", "spam=allow"))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> GatewayPolicy.parse(bad, "allow", List.of()));
      assertTrue(e.getMessage().startsWith("--gateway-action"), e.getMessage());
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GatewayPolicy.parse(List.of(), "maybe",
        List.of())).getMessage().startsWith("--gateway-otherwise"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GatewayPolicy.parse(List.of(), "allow",
        List.of("bad header"))).getMessage().startsWith("--gateway-headers"));
    assertEquals(Map.of(), GatewayPolicy.allowAll().actions());
  }
}
