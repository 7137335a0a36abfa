package io.streamdistill.edge.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.edge.EdgeConfig;
import io.streamdistill.edge.EdgeNode;
import io.streamdistill.edge.TestVersions;
import io.streamdistill.edge.feedback.FeedbackSink;
import io.streamdistill.schemas.DeploymentEvent;
import io.streamdistill.schemas.DeploymentStatus;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pin, unpin and rollback over HTTP, behind a bearer token. */
class AdminEndpointsTest {
  private static final String TOKEN = "s3cret-admin-token";
  private static final String[] AUTH = {"Authorization", "Bearer " + TOKEN};
  private static final String IMAGE = "{\"vector\": [" + "0.5,".repeat(783) + "0.5]}";

  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<DeploymentEvent> events = new CopyOnWriteArrayList<>();
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

  /** A node serving version 3 (digit 3) and holding 1, 2 (digits 1, 2). */
  private void start(String token) throws Exception {
    EdgeConfig config = EdgeConfig.defaults("node-1", TestVersions.MODEL, List.of(TestVersions.KEYS.getPublic()));
    node = new EdgeNode(config, metrics, events::add, FeedbackSink.discarding());
    server = new EdgeHttpServer(node, new EdgeHttpServer.Settings(0, 2, 4096, token), metrics);
    http = new Http(server.port());
    for (long v = 1; v <= 3; v++) {
      node.offer(TestVersions.sure(v, (int) v));
    }
    events.clear();
  }

  private String servedLabel() {
    return Http.json(http.post("/predict", IMAGE)).get("label").asText();
  }

  private List<DeploymentStatus> statuses() {
    return events.stream().map(DeploymentEvent::getStatus).toList();
  }

  @Test
  void shouldRollBackToThePreviousVersionWithoutABody() throws Exception {
    start(TOKEN);
    HttpResponse<String> response = http.post("/admin/rollback", null, AUTH);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(2, Http.json(response).get("version").asLong());
    assertEquals("2", servedLabel());
    assertEquals(List.of(DeploymentStatus.ROLLED_BACK), statuses());
    assertEquals(3L, events.get(0).getPreviousVersion());
  }

  @Test
  void shouldRollBackToAChosenHeldVersion() throws Exception {
    start(TOKEN);
    assertEquals(200, http.post("/admin/rollback", "{\"version\": 1}", AUTH).statusCode());
    assertEquals("1", servedLabel());
    HttpResponse<String> unknown = http.post("/admin/rollback", "{\"version\": 9}", AUTH);
    assertEquals(404, unknown.statusCode());
    assertTrue(Http.json(unknown).get("error").asText().contains("not held"), unknown.body());
    assertEquals(409, http.post("/admin/rollback", "{\"version\": 1}", AUTH).statusCode(), "already served");
    assertEquals(400, http.post("/admin/rollback", "{\"version\": \"one\"}", AUTH).statusCode());
  }

  @Test
  void shouldHoldAPinnedVersionWhileNewerOnesArriveUntilUnpinned() throws Exception {
    start(TOKEN);
    HttpResponse<String> pinned = http.post("/admin/pin", "{\"version\": 2}", AUTH);
    assertEquals(200, pinned.statusCode(), pinned.body());
    JsonNode status = Http.json(pinned);
    assertEquals(2, status.get("version").asLong());
    assertTrue(status.get("pinned").asBoolean());

    node.offer(TestVersions.sure(4, 4));
    assertEquals("2", servedLabel(), "a pinned node does not follow new versions");
    assertEquals(List.of(1L, 2L, 3L, 4L), node.status().heldVersions());

    HttpResponse<String> unpinned = http.post("/admin/unpin", null, AUTH);
    assertEquals(200, unpinned.statusCode(), unpinned.body());
    assertEquals(4, Http.json(unpinned).get("version").asLong());
    assertEquals("4", servedLabel());
    assertEquals(List.of(DeploymentStatus.PINNED, DeploymentStatus.UNPINNED, DeploymentStatus.LOADED), statuses());
  }

  @Test
  void shouldRequireTheToken() throws Exception {
    start(TOKEN);
    HttpResponse<String> none = http.post("/admin/rollback", null);
    assertEquals(401, none.statusCode());
    assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(""));
    assertEquals(403, http.post("/admin/rollback", null, "Authorization", "Bearer wrong").statusCode());
    assertEquals(403, http.post("/admin/pin", null, "Authorization", "Bearer " + TOKEN + "x").statusCode());
    assertEquals(401, http.post("/admin/unpin", null, "Authorization", "Basic " + TOKEN).statusCode());
    assertEquals("3", servedLabel(), "nothing changed");
    assertEquals(List.of(), events);
    assertEquals(405, http.get("/admin/pin").statusCode());
  }

  @Test
  void shouldDisableAdminEndpointsWithoutAToken() throws Exception {
    start(null);
    HttpResponse<String> response = http.post("/admin/rollback", null, AUTH);
    assertEquals(404, response.statusCode());
    assertTrue(Http.json(response).get("error").asText().contains("disabled"), response.body());
    assertEquals("3", servedLabel());
  }
}
