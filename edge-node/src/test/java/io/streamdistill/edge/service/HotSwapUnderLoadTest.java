package io.streamdistill.edge.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.edge.EdgeConfig;
import io.streamdistill.edge.EdgeNode;
import io.streamdistill.edge.TestVersions;
import io.streamdistill.edge.feedback.FeedbackSink;
import io.streamdistill.edge.versions.DeploymentSink;
import io.streamdistill.edge.versions.VersionHolder;
import io.streamdistill.schemas.StudentModelVersion;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Versions swapped in every 200 ms while several clients hammer {@code /predict} over real HTTP:
 * no request fails, and every answer is consistent with the version it names (a request never sees
 * half of one version and half of another).
 */
class HotSwapUnderLoadTest {
  private static final int CLIENTS = 6;
  private static final int VERSIONS = 12;
  private static final String IMAGE = "{\"vector\": [" + "0.5,".repeat(783) + "0.5]}";

  /** Version v answers digit v % 10: the label tells which version computed it. */
  private static int digitOf(long version) {
    return (int) (version % 10);
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void shouldServeEveryRequestWhileVersionsAreSwapped() throws Exception {
    List<StudentModelVersion> versions = new ArrayList<>();
    for (long v = 1; v <= VERSIONS; v++) {
      versions.add(TestVersions.sure(v, digitOf(v)));
    }
    EdgeConfig config = EdgeConfig.defaults("node-1", TestVersions.MODEL, List.of(TestVersions.KEYS.getPublic()))
        .withSampling(0, 10);
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ScheduledExecutorService swapper = Executors.newSingleThreadScheduledExecutor();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try (EdgeNode node = new EdgeNode(config, metrics, DeploymentSink.discarding(), FeedbackSink.discarding());
        EdgeHttpServer server = new EdgeHttpServer(node, new EdgeHttpServer.Settings(0, 8, 1 << 20, null), metrics)) {
      node.offer(versions.get(0));
      CountDownLatch allSwapped = new CountDownLatch(1);
      AtomicInteger next = new AtomicInteger(1);
      Queue<String> problems = new ConcurrentLinkedQueue<>();
      // The swaps come from one thread, as from the follower; each must load.
      ScheduledFuture<?> swaps = swapper.scheduleAtFixedRate(() -> {
        int i = next.getAndIncrement();
        if (i >= VERSIONS) {
          allSwapped.countDown();
          return;
        }
        VersionHolder.Outcome outcome = node.offer(versions.get(i));
        if (outcome.kind() != VersionHolder.Outcome.Kind.LOADED) {
          problems.add("version " + (i + 1) + " not loaded: " + outcome);
        }
      }, 200, 200, TimeUnit.MILLISECONDS);

      Map<Long, AtomicLong> answersByVersion = new ConcurrentHashMap<>();
      AtomicLong requests = new AtomicLong();
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        running.add(clients.submit(() -> {
          Http http = new Http(server.port());
          while (allSwapped.getCount() > 0) {
            HttpResponse<String> response;
            try {
              response = http.post("/predict", IMAGE);
            } catch (RuntimeException e) {
              problems.add("request failed: " + e);
              continue;
            }
            requests.incrementAndGet();
            if (response.statusCode() != 200) {
              problems.add("status " + response.statusCode() + ": " + response.body());
              continue;
            }
            JsonNode answer = Http.json(response);
            long version = answer.get("modelVersion").asLong();
            if (!answer.get("label").asText().equals(Integer.toString(digitOf(version)))) {
              problems.add("version " + version + " answered " + answer.get("label") + ", a torn read");
            }
            answersByVersion.computeIfAbsent(version, v -> new AtomicLong()).incrementAndGet();
          }
        }));
      }
      if (!allSwapped.await(60, TimeUnit.SECONDS)) {
        if (swaps.isDone()) {
          swaps.get(); // a periodic task is done only when it threw: this fails with why the swaps stopped
        }
        fail("not all versions swapped in within 60 s");
      }
      for (Future<?> client : running) {
        client.get(30, TimeUnit.SECONDS);
      }

      assertEquals(List.of(), List.copyOf(problems), "no failed request, no torn answer");
      assertEquals(VERSIONS, node.status().servedVersion());
      assertTrue(answersByVersion.size() >= VERSIONS / 2, "answers from many versions: " + answersByVersion);
      assertTrue(requests.get() > 100, "the node was hammered: " + requests.get() + " requests");
    } finally {
      swapper.shutdownNow();
      clients.shutdownNow();
      metrics.close();
    }
  }
}
