package io.streamdistill.teacher.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.streamdistill.config.HttpServers;
import java.io.IOException;
import java.io.OutputStream;
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
final class OipStub implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  final AtomicInteger failures = new AtomicInteger();
  final AtomicInteger inferCalls = new AtomicInteger();
  final AtomicReference<byte[]> lastRequest = new AtomicReference<>();
  final List<String> paths = Collections.synchronizedList(new ArrayList<>());
  volatile int failStatus = 503;
  volatile long delayMs;
  volatile String answer;
  volatile String metadataInput = "input0";
  private HttpServer server;

  void start() throws IOException {
    server = HttpServers.create(0, 16);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext("/v2/models/", this::handle);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      paths.add(path);
      if (!path.startsWith("/v2/models/m/") && !path.equals("/v2/models/m")) {
        send(exchange, 404, "{\"error\": \"unknown model\"}");
        return;
      }
      if (!path.endsWith("/infer")) {
        send(exchange, 200, """
            {"name": "m", "versions": ["6", "7"], "platform": "stub",
             "inputs": [{"name": "%s", "datatype": "FP32", "shape": [-1, 2]}],
             "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2],
                          "parameters": {"classes": "[\\"a\\", \\"b\\"]"}}]}""".formatted(metadataInput));
        return;
      }
      inferCalls.incrementAndGet();
      byte[] body = exchange.getRequestBody().readAllBytes();
      lastRequest.set(body);
      if (delayMs > 0) {
        try {
          Thread.sleep(delayMs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (failures.getAndUpdate(n -> n == Integer.MAX_VALUE ? n : Math.max(0, n - 1)) > 0) {
        send(exchange, failStatus, "{\"error\": \"stub down\"}");
        return;
      }
      if (answer != null) {
        send(exchange, 200, answer);
        return;
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
      send(exchange, 200, "{\"model_name\": \"m\", \"model_version\": \"7\", \"outputs\": [{\"name\": \"logits\","
          + " \"datatype\": \"FP32\", \"shape\": [" + n + ", 2], \"data\": [" + data + "]}]}");
    }
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
      server = null;
    }
  }
}
