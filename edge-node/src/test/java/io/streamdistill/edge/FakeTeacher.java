package io.streamdistill.edge;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The teacher service's {@code POST /predict} on loopback, answering as the real one does
 * ({@code label, classes, probabilities, teachers, micros}), or too late, or with an error. Records
 * the request bodies it got.
 */
public final class FakeTeacher implements AutoCloseable {
  /** How the fake behaves. */
  public enum Mode {
    /** Answers at once: digit 8 with probability 0.95. */
    ANSWER,
    /** Answers only when closed: every caller times out first. */
    HANG,
    /** Answers 500. */
    FAIL
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final CountDownLatch released = new CountDownLatch(1);
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private volatile Mode mode;

  public FakeTeacher(Mode mode) throws IOException {
    this.mode = mode;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(executor);
    server.createContext("/predict", this::predict);
    server.start();
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/predict");
  }

  public List<String> requests() {
    return requests;
  }

  public void mode(Mode mode) {
    this.mode = mode;
  }

  private void predict(HttpExchange exchange) throws IOException {
    try (exchange) {
      requests.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      switch (mode) {
        case HANG -> {
          try {
            released.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          reply(exchange, 200, answer());
        }
        case FAIL -> reply(exchange, 500, "{\"error\": \"the teacher failed: out of memory\"}");
        default -> reply(exchange, 200, answer());
      }
    }
  }

  private static String answer() {
    StringBuilder probabilities = new StringBuilder();
    for (int c = 0; c < 10; c++) {
      probabilities.append(c == 0 ? "" : ",").append(c == 8 ? "0.95" : Double.toString(0.05 / 9));
    }
    return "{\"label\":\"8\",\"classes\":[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"],"
        + "\"probabilities\":[" + probabilities + "],\"teachers\":[{\"id\":\"mnist\",\"version\":\"abc\","
        + "\"logits\":[0,0,0,0,0,0,0,0,5,0]}],\"micros\":1200}";
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
