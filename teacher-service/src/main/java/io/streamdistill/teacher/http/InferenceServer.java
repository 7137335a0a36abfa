package io.streamdistill.teacher.http;

import static io.streamdistill.teacher.http.JsonReplies.JSON;
import static io.streamdistill.teacher.http.JsonReplies.error;
import static io.streamdistill.teacher.http.JsonReplies.reply;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.http.HttpRequest;
import io.streamdistill.http.HttpResponse;
import io.streamdistill.http.HttpServer;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherInputException;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.model.TeacherUnavailableException;
import io.streamdistill.teacher.remote.OipTensors;
import io.streamdistill.teacher.remote.RemoteTeacher;
import io.streamdistill.teacher.streams.InputValidator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The teacher service's synchronous face: the cascade's fallback for edge nodes, on the same
 * models as the stream.
 *
 * <ul>
 *   <li>{@code POST /predict} {@code {"text": "..."}}, {@code {"vector": [..]}} or {@code {"fields":
 *       {"name": 1.5, "proto": "tcp", ...}}}: answers {@code {"label", "classes", "probabilities",
 *       "teachers": [{"id", "version", "logits"}], "micros"}}; probabilities are the mean of the
 *       teachers' softmax. 400 for bad input (also when a teacher finds the input does not fit it, a
 *       {@link TeacherInputException}), 413 over the size limit, 503 at once (the reason: the
 *       remote's last failure) while a remote teacher's circuit breaker is open.
 *   <li>The Open Inference Protocol (KServe v2), so that other tools, and another teacher service's
 *       {@code oip} teacher, can call this one: {@code GET /v2}, {@code GET /v2/health/live}, {@code
 *       GET /v2/health/ready}, and per model {@code GET /v2/models/{name}[/versions/{v}]} (metadata,
 *       with the classes), {@code .../ready} and {@code POST .../infer}. Models: one per teacher,
 *       named by its id (its own logits, and its embedding when it has one), plus the ensemble under
 *       the service's model name ({@code logits} = the log of the mean of the teachers'
 *       probabilities, so that a softmax gives the mean back). Tensors as in {@link OipTensors}.
 *       Errors are {@code {"error": "..."}} with 400 (bad request), 404 (no such model, version or
 *       path), 405, 413 (over the size limit), 500 (the model failed) or 503 (a remote teacher
 *       behind this one is unavailable; at once while its circuit breaker is open).
 *   <li>{@code GET /health}: 200 when the stream is running and no remote teacher's circuit breaker
 *       is open, else 503, with the state of each.
 *   <li>{@code GET /metrics}: Prometheus text format.
 * </ul>
 *
 * <p>Each handler thread borrows one set of predictors from a pool (DJL predictors are not
 * thread-safe), so concurrent requests never share one. This server owns the HTTP server, its
 * handler threads and the pool, and closes them; the {@code /v2} endpoints are {@link OipEndpoints}
 * and {@code /predict}'s JSON is {@link PredictJson}.
 */
public final class InferenceServer implements AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(InferenceServer.class);

  private final HttpServer server;
  private final List<Teacher> teachers;
  private final List<TeacherDescriptor> descriptors;
  private final BlockingQueue<List<TeacherPredictor>> predictors;
  private final List<List<TeacherPredictor>> allPredictors = new ArrayList<>();
  private final Supplier<String> streamState;
  private final Timer requestTimer;

  /** The name the ensemble answers under in the Open Inference Protocol unless told otherwise. */
  public static final String DEFAULT_MODEL_NAME = "distill-teacher";

  /**
   * Starts serving on {@code port} (0 picks a free one) with {@code threads} handler threads; the
   * ensemble answers under {@link #DEFAULT_MODEL_NAME}.
   *
   * @param streamState the stream's state for /health (e.g. "RUNNING")
   */
  public InferenceServer(int port, int threads, List<Teacher> teachers, PrometheusMeterRegistry metrics,
      Supplier<String> streamState, int maxBodyBytes) throws IOException {
    this(port, threads, teachers, metrics, streamState, maxBodyBytes, DEFAULT_MODEL_NAME);
  }

  /**
   * Starts serving on {@code port} (0 picks a free one) with {@code threads} handler threads.
   *
   * @param streamState the stream's state for /health (e.g. "RUNNING")
   * @param modelName the ensemble's model name in the Open Inference Protocol (each teacher also
   *     answers under its id)
   */
  public InferenceServer(int port, int threads, List<Teacher> teachers, PrometheusMeterRegistry metrics,
      Supplier<String> streamState, int maxBodyBytes, String modelName) throws IOException {
    if (modelName == null || modelName.isBlank() || modelName.contains("/")) {
      throw new IllegalArgumentException("the model name must be non-empty and without '/', was '" + modelName + "'");
    }
    this.teachers = List.copyOf(teachers);
    this.descriptors = teachers.stream().map(Teacher::descriptor).toList();
    this.streamState = streamState;
    this.requestTimer = Timer.builder("distill.teacher.http.predict").description("synchronous predict requests")
        .publishPercentiles(0.5, 0.99).register(metrics);
    this.predictors = new ArrayBlockingQueue<>(threads);
    for (int i = 0; i < threads; i++) {
      // Fail-fast: a remote teacher whose breaker is open refuses at once (503) rather than holding the
      // request for up to breakerOpenMs, as the stream's batches wait.
      List<TeacherPredictor> set = teachers.stream().map(Teacher::newFailFastPredictor).toList();
      allPredictors.add(set);
      predictors.add(set);
    }
    // A remote teacher's breaker and call counters go where the service's other meters are.
    teachers.forEach(t -> {
      if (t instanceof MeterBinder binder) {
        binder.bindTo(metrics);
      }
    });
    this.server = HttpServer.builder("teacher-http").port(port).threads(threads).maxBodyBytes(maxBodyBytes)
        .route("/predict", this::predict)
        .route("/health", this::health)
        .route("/metrics", request -> HttpResponse.prometheus(metrics.scrape()))
        .routeUnder("/v2", new OipEndpoints(modelName, this.teachers, descriptors, predictors, metrics)::handle)
        .start();
    LOGGER.atInfo().addKeyValue("port", port()).addKeyValue("threads", threads).log("inference endpoint listening");
  }

  public int port() {
    return server.port();
  }

  private HttpResponse predict(HttpRequest request) throws IOException {
    try {
      return predictOnce(request);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return reply(503, error("interrupted"));
    } catch (TeacherUnavailableException e) {
      // A remote teacher is down: the caller (an edge's cascade) may try again later; the input was fine.
      return reply(503, error(e.getMessage()));
    } catch (TeacherInputException e) {
      // The caller's input, not the teacher, is wrong (e.g. a field that is not a number): nothing to warn of.
      LOGGER.atDebug().addKeyValue("reason", e.getMessage()).log("predict refused an input");
      return reply(400, error(e.getMessage()));
    } catch (RuntimeException e) {
      LOGGER.atWarn().setCause(e).log("predict failed");
      return reply(500, error("the teacher failed: " + e.getMessage()));
    }
  }

  private HttpResponse predictOnce(HttpRequest request) throws IOException, InterruptedException {
    if (!"POST".equals(request.method())) {
      return reply(405, error("use POST with a JSON body")).withHeader("Allow", "POST");
    }
    InputEvent event;
    try {
      event = PredictJson.parse(request.body(), descriptors);
    } catch (IllegalArgumentException | IOException e) {
      return reply(400, error(e.getMessage()));
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
    return reply(200, PredictJson.answer(teachers, outputs, micros));
  }

  private HttpResponse health(HttpRequest request) throws IOException {
    String state = streamState.get();
    boolean up = ("RUNNING".equals(state) || "REBALANCING".equals(state)) && teachers.stream().allMatch(
        OipEndpoints::ready);
    ObjectNode body = JSON.createObjectNode().put("status", up ? "UP" : "DOWN").put("stream", state);
    ArrayNode list = body.putArray("teachers");
    teachers.forEach(t -> {
      ObjectNode one = list.addObject().put("id", t.descriptor().id()).put("version", t.descriptor().version());
      if (t instanceof RemoteTeacher remote) {
        // A dead remote stops labelling (its batches wait in the store): say so here.
        one.put("remote", remote.options().url().toString()).put("breaker", remote.breakerState().name());
      }
    });
    return reply(up ? 200 : 503, body);
  }

  @Override
  public void close() {
    server.close();
    allPredictors.forEach(set -> set.forEach(TeacherPredictor::close));
  }
}
