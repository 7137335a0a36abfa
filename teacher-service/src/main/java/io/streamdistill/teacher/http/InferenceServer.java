package io.streamdistill.teacher.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.config.HttpServers;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.streams.InputValidator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The teacher service's synchronous face: the cascade's fallback for edge nodes, on the same
 * models as the stream.
 *
 * <ul>
 *   <li>{@code POST /predict} {@code {"text": "..."}} or {@code {"vector": [..]}}: answers {@code
 *       {"label", "classes", "probabilities", "teachers": [{"id", "version", "logits"}], "micros"}};
 *       probabilities are the mean of the teachers' softmax. 400 for bad input, 413 over the size limit.
 *   <li>{@code GET /health}: 200 when the stream is running, else 503, with the state.
 *   <li>{@code GET /metrics}: Prometheus text format.
 * </ul>
 *
 * <p>Each handler thread borrows one set of predictors from a pool (DJL predictors are not
 * thread-safe), so concurrent requests never share one.
 */
public final class InferenceServer implements AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(InferenceServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;
  private final List<Teacher> teachers;
  private final List<TeacherDescriptor> descriptors;
  private final BlockingQueue<List<TeacherPredictor>> predictors;
  private final List<List<TeacherPredictor>> allPredictors = new ArrayList<>();
  private final PrometheusMeterRegistry metrics;
  private final Supplier<String> streamState;
  private final int maxBodyBytes;
  private final Timer requestTimer;

  /**
   * Starts serving on {@code port} (0 picks a free one) with {@code threads} handler threads.
   *
   * @param streamState the stream's state for /health (e.g. "RUNNING")
   */
  public InferenceServer(int port, int threads, List<Teacher> teachers, PrometheusMeterRegistry metrics,
      Supplier<String> streamState, int maxBodyBytes) throws IOException {
    this.teachers = List.copyOf(teachers);
    this.descriptors = teachers.stream().map(Teacher::descriptor).toList();
    this.metrics = metrics;
    this.streamState = streamState;
    this.maxBodyBytes = maxBodyBytes;
    this.requestTimer = Timer.builder("distill.teacher.http.predict").description("synchronous predict requests")
        .publishPercentiles(0.5, 0.99).register(metrics);
    this.predictors = new ArrayBlockingQueue<>(threads);
    for (int i = 0; i < threads; i++) {
      List<TeacherPredictor> set = teachers.stream().map(Teacher::newPredictor).toList();
      allPredictors.add(set);
      predictors.add(set);
    }
    this.executor = Executors.newFixedThreadPool(threads, r -> {
      Thread thread = new Thread(r, "teacher-http");
      thread.setDaemon(true);
      return thread;
    });
    this.server = HttpServers.create(port, 64);
    server.setExecutor(executor);
    server.createContext("/predict", this::predict);
    server.createContext("/health", this::health);
    server.createContext("/metrics", this::scrape);
    server.start();
    LOGGER.atInfo().addKeyValue("port", port()).addKeyValue("threads", threads).log("inference endpoint listening");
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void predict(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        reply(exchange, 405, error("use POST with a JSON body"));
        return;
      }
      byte[] body = readLimited(exchange.getRequestBody());
      if (body == null) {
        reply(exchange, 413, error("request body over " + maxBodyBytes + " bytes"));
        return;
      }
      InputEvent event;
      try {
        event = parse(body);
      } catch (IllegalArgumentException | IOException e) {
        reply(exchange, 400, error(e.getMessage()));
        return;
      }
      long started = System.nanoTime();
      List<TeacherPredictor> set = predictors.take();
      List<Prediction> outputs = new ArrayList<>();
      try {
        for (int t = 0; t < set.size(); t++) {
          TeacherInput input = InputValidator.inputFor(event, descriptors.get(t));
          outputs.add(set.get(t).predict(List.of(input)).get(0));
        }
      } finally {
        predictors.add(set);
      }
      long micros = (System.nanoTime() - started) / 1000;
      requestTimer.record(java.time.Duration.ofNanos(micros * 1000));
      reply(exchange, 200, answer(outputs, micros));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOGGER.atWarn().setCause(e).log("predict failed");
      reply(exchange, 500, error("the teacher failed: " + e.getMessage()));
    }
  }

  /** Reads the request into an event and checks it against every teacher, exactly as the stream does. */
  private InputEvent parse(byte[] body) throws IOException {
    JsonNode json = JSON.readTree(body);
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException("body must be a JSON object with \"text\" or \"vector\"");
    }
    InputEvent.Builder event = InputEvent.newBuilder().setId("http").setTimestamp(Instant.now()).setSource("http");
    JsonNode text = json.get("text");
    if (text != null && !text.isNull()) {
      if (!text.isTextual()) {
        throw new IllegalArgumentException("\"text\" must be a string");
      }
      event.setText(text.asText());
    }
    JsonNode vector = json.get("vector");
    if (vector != null && !vector.isNull()) {
      if (!vector.isArray()) {
        throw new IllegalArgumentException("\"vector\" must be an array of numbers");
      }
      List<Float> values = new ArrayList<>(vector.size());
      for (int i = 0; i < vector.size(); i++) {
        if (!vector.get(i).isNumber()) {
          throw new IllegalArgumentException("vector value at index " + i + " is not a number");
        }
        values.add((float) vector.get(i).asDouble());
      }
      event.setVector(values);
    }
    InputEvent parsed = event.build();
    InputValidator.problem(parsed, descriptors).ifPresent(problem -> {
      throw new IllegalArgumentException(problem);
    });
    return parsed;
  }

  private ObjectNode answer(List<Prediction> outputs, long micros) {
    List<String> classes = teachers.get(0).descriptor().classes();
    double[] mean = new double[classes.size()];
    ArrayNode perTeacher = JSON.createArrayNode();
    for (int t = 0; t < outputs.size(); t++) {
      float[] logits = outputs.get(t).logits();
      double[] p = softmax(logits);
      for (int c = 0; c < mean.length; c++) {
        mean[c] += p[c] / outputs.size();
      }
      ObjectNode one = perTeacher.addObject()
          .put("id", teachers.get(t).descriptor().id())
          .put("version", teachers.get(t).descriptor().version());
      ArrayNode l = one.putArray("logits");
      for (float v : logits) {
        l.add(v);
      }
    }
    int best = 0;
    for (int c = 1; c < mean.length; c++) {
      if (mean[c] > mean[best]) {
        best = c;
      }
    }
    ObjectNode answer = JSON.createObjectNode().put("label", classes.get(best));
    ArrayNode classNames = answer.putArray("classes");
    classes.forEach(classNames::add);
    ArrayNode probabilities = answer.putArray("probabilities");
    for (double p : mean) {
      probabilities.add(p);
    }
    answer.set("teachers", perTeacher);
    answer.put("micros", micros);
    return answer;
  }

  static double[] softmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] p = new double[logits.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(logits[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  private void health(HttpExchange exchange) throws IOException {
    try (exchange) {
      String state = streamState.get();
      boolean up = "RUNNING".equals(state) || "REBALANCING".equals(state);
      ObjectNode body = JSON.createObjectNode().put("status", up ? "UP" : "DOWN").put("stream", state);
      ArrayNode list = body.putArray("teachers");
      teachers.forEach(t -> list.addObject().put("id", t.descriptor().id()).put("version", t.descriptor().version()));
      reply(exchange, up ? 200 : 503, body);
    }
  }

  private void scrape(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] text = metrics.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, text.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(text);
      }
    }
  }

  private byte[] readLimited(InputStream in) throws IOException {
    byte[] body = in.readNBytes(maxBodyBytes + 1);
    return body.length > maxBodyBytes ? null : body;
  }

  private static ObjectNode error(String message) {
    return JSON.createObjectNode().put("error", message);
  }

  private static void reply(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
    allPredictors.forEach(set -> set.forEach(TeacherPredictor::close));
  }
}
