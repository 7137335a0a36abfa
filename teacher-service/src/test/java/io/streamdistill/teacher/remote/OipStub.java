package io.streamdistill.teacher.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdistill.http.HttpRequest;
import io.streamdistill.http.HttpResponse;
import io.streamdistill.http.HttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An inference server that fails on cue: metadata for model {@code m} (classes a, b; version 7),
 * and an infer endpoint answering (sum, -sum) per row unless told to fail or stall.
 */
public final class OipStub implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  final AtomicInteger failures = new AtomicInteger();
  public final AtomicInteger inferCalls = new AtomicInteger();
  final AtomicReference<byte[]> lastRequest = new AtomicReference<>();
  final List<String> paths = Collections.synchronizedList(new ArrayList<>());
  volatile int failStatus = 503;
  /** The Retry-After header a failure carries, or null for none. */
  volatile String failRetryAfter;
  volatile long delayMs;
  volatile String answer;
  public volatile String metadataInput = "input0";
  public volatile String metadataDatatype = "FP32";
  private HttpServer server;

  public void start() throws IOException {
    server = HttpServer.builder("oip-stub").threads(16).routeUnder("/v2/models", this::handle).start();
  }

  public int port() {
    return server.port();
  }

  private HttpResponse handle(HttpRequest request) throws IOException {
    String path = request.rawPath();
    paths.add(path);
    if (!path.startsWith("/v2/models/m/") && !path.equals("/v2/models/m")) {
      return send(404, "{\"error\": \"unknown model\"}");
    }
    if (!path.endsWith("/infer")) {
      return send(200, """
          {"name": "m", "versions": ["6", "7"], "platform": "stub",
           "inputs": [{"name": "%s", "datatype": "%s", "shape": [-1, 2]}],
           "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2],
                        "parameters": {"classes": "[\\"a\\", \\"b\\"]"}}]}"""
          .formatted(metadataInput, metadataDatatype));
    }
    inferCalls.incrementAndGet();
    byte[] body = request.body();
    lastRequest.set(body);
    if (delayMs > 0) {
      try {
        Thread.sleep(delayMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (failures.getAndUpdate(n -> n == Integer.MAX_VALUE ? n : Math.max(0, n - 1)) > 0) {
      HttpResponse failure = send(failStatus, "{\"error\": \"stub down\"}");
      String retryAfter = failRetryAfter;
      return retryAfter == null ? failure : failure.withHeader("Retry-After", retryAfter);
    }
    if (answer != null) {
      return send(200, answer);
    }
    JsonNode input = JSON.readTree(body).get("inputs").get(0);
    int n = input.get("shape").get(0).asInt();
    StringBuilder data = new StringBuilder();
    for (int i = 0; i < n; i++) {
      double sum = 0;
      if ("FP32".equals(input.get("datatype").asText())) {
        sum = input.get("data").get(2 * i).asDouble() + input.get("data").get(2 * i + 1).asDouble();
      }
      data.append(i == 0 ? "" : ", ").append(sum).append(", ").append(-sum);
    }
    return send(200, "{\"model_name\": \"m\", \"model_version\": \"7\", \"outputs\": [{\"name\": \"logits\","
        + " \"datatype\": \"FP32\", \"shape\": [" + n + ", 2], \"data\": [" + data + "]}]}");
  }

  private static HttpResponse send(int status, String body) {
    return HttpResponse.json(status, body.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
      server = null;
    }
  }
}
