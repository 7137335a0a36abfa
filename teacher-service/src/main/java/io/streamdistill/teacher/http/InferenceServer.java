package io.streamdistill.teacher.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.config.HttpServers;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.model.TeacherUnavailableException;
import io.streamdistill.teacher.remote.CircuitBreaker;
import io.streamdistill.teacher.remote.OipTeacher;
import io.streamdistill.teacher.remote.OipTensors;
import io.streamdistill.teacher.streams.InputValidator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
 *       teachers' softmax. 400 for bad input, 413 over the size limit.
 *   <li>The Open Inference Protocol (KServe v2), so that other tools, and another teacher service's
 *       {@code oip} teacher, can call this one: {@code GET /v2}, {@code GET /v2/health/live}, {@code
 *       GET /v2/health/ready}, and per model {@code GET /v2/models/{name}[/versions/{v}]} (metadata,
 *       with the classes), {@code .../ready} and {@code POST .../infer}. Models: one per teacher,
 *       named by its id (its own logits, and its embedding when it has one), plus the ensemble under
 *       the service's model name ({@code logits} = the log of the mean of the teachers'
 *       probabilities, so that a softmax gives the mean back). Tensors as in {@link OipTensors}.
 *       Errors are {@code {"error": "..."}} with 400 (bad request), 404 (no such model, version or
 *       path), 405, 413 (over the size limit), 500 (the model failed) or 503 (a remote teacher
 *       behind this one is unavailable).
 *   <li>{@code GET /health}: 200 when the stream is running and no remote teacher's circuit breaker
 *       is open, else 503, with the state of each.
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
  private final String modelName;

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
    this.modelName = modelName;
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
    server.createContext("/v2", this::openInference);
    // A remote teacher's breaker and call counters go where the service's other meters are.
    teachers.forEach(t -> {
      if (t instanceof MeterBinder binder) {
        binder.bindTo(metrics);
      }
    });
    server.start();
    LOGGER.atInfo().addKeyValue("port", port()).addKeyValue("threads", threads).log("inference endpoint listening");
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void predict(HttpExchange exchange) throws IOException {
    // The catches are inside the try-with-resources: a reply after the exchange is closed never reaches the
    // caller (its connection just ends), which is what a failing teacher used to get here.
    try (exchange) {
      try {
        predictOnce(exchange);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        reply(exchange, 503, error("interrupted"));
      } catch (TeacherUnavailableException e) {
        // A remote teacher is down: the caller (an edge's cascade) may try again later; the input was fine.
        reply(exchange, 503, error(e.getMessage()));
      } catch (RuntimeException e) {
        LOGGER.atWarn().setCause(e).log("predict failed");
        reply(exchange, 500, error("the teacher failed: " + e.getMessage()));
      }
    }
  }

  private void predictOnce(HttpExchange exchange) throws IOException, InterruptedException {
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
  }

  /** Reads the request into an event and checks it against every teacher, exactly as the stream does. */
  private InputEvent parse(byte[] body) throws IOException {
    JsonNode json = JSON.readTree(body);
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException("body must be a JSON object with \"text\", \"vector\" or \"fields\"");
    }
    InputEvent.Builder event = InputEvent.newBuilder().setId("http").setTimestamp(Instant.now()).setSource("http");
    JsonNode fields = json.get("fields");
    if (fields != null && !fields.isNull()) {
      if (!fields.isObject()) {
        throw new IllegalArgumentException("\"fields\" must be a JSON object of named numbers, strings or nulls");
      }
      event.setStructured(OipTensors.fieldsOf(fields, "\"fields\""));
    }
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

  // ------------------------------------------------------------------ Open Inference Protocol (KServe v2)

  /** A model of the protocol: one teacher (its index), or the ensemble of all ({@code teacher} -1). */
  private record Model(String name, String version, int teacher) {
    boolean ensemble() {
      return teacher < 0;
    }
  }

  /** A request the protocol answers with an error JSON and this status. */
  private static final class ProtocolError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    ProtocolError(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private void openInference(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        route(exchange);
      } catch (ProtocolError e) {
        reply(exchange, e.status, error(e.getMessage()));
      } catch (TeacherUnavailableException e) {
        reply(exchange, 503, error(e.getMessage()));
      } catch (RuntimeException e) {
        LOGGER.atWarn().setCause(e).log("inference request failed");
        reply(exchange, 500, error("the teacher failed: " + e.getMessage()));
      }
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    String raw = exchange.getRequestURI().getRawPath();
    List<String> path = new ArrayList<>();
    for (String segment : raw.substring("/v2".length()).split("/")) {
      if (!segment.isEmpty()) {
        path.add(URLDecoder.decode(segment, StandardCharsets.UTF_8));
      }
    }
    String method = exchange.getRequestMethod();
    if (path.isEmpty()) {
      requireMethod(method, "GET");
      ObjectNode metadata = JSON.createObjectNode().put("name", modelName).put("version", "stream-distill 0.1.0");
      metadata.putArray("extensions");
      reply(exchange, 200, metadata);
      return;
    }
    if (path.size() == 2 && "health".equals(path.get(0))) {
      requireMethod(method, "GET");
      if ("live".equals(path.get(1))) {
        reply(exchange, 200, JSON.createObjectNode().put("live", true));
        return;
      }
      if ("ready".equals(path.get(1))) {
        boolean ready = teachers.stream().allMatch(InferenceServer::ready);
        reply(exchange, ready ? 200 : 503, JSON.createObjectNode().put("ready", ready));
        return;
      }
    }
    if (path.size() >= 2 && "models".equals(path.get(0))) {
      Model model = model(path.get(1));
      List<String> rest = path.subList(2, path.size());
      if (rest.size() >= 2 && "versions".equals(rest.get(0))) {
        if (!rest.get(1).equals(model.version())) {
          throw new ProtocolError(404, "model '" + model.name() + "' has no version '" + rest.get(1)
              + "'; it serves version '" + model.version() + "'");
        }
        rest = rest.subList(2, rest.size());
      }
      if (rest.isEmpty()) {
        requireMethod(method, "GET");
        reply(exchange, 200, metadata(model));
        return;
      }
      if (rest.size() == 1 && "ready".equals(rest.get(0))) {
        requireMethod(method, "GET");
        boolean ready = model.ensemble() ? teachers.stream().allMatch(InferenceServer::ready)
            : ready(teachers.get(model.teacher()));
        reply(exchange, ready ? 200 : 503, JSON.createObjectNode().put("name", model.name()).put("ready", ready));
        return;
      }
      if (rest.size() == 1 && "infer".equals(rest.get(0))) {
        requireMethod(method, "POST");
        infer(exchange, model);
        return;
      }
    }
    throw new ProtocolError(404, "no such endpoint: " + raw);
  }

  private static void requireMethod(String method, String expected) {
    if (!expected.equals(method)) {
      throw new ProtocolError(405, "use " + expected + " here, not " + method);
    }
  }

  /** The ensemble under the service's model name, or the teacher with that id. */
  private Model model(String name) {
    if (modelName.equals(name)) {
      String version = String.join("+", descriptors.stream().map(TeacherDescriptor::version).toList());
      return new Model(name, version, -1);
    }
    for (int t = 0; t < descriptors.size(); t++) {
      if (descriptors.get(t).id().equals(name)) {
        return new Model(name, descriptors.get(t).version(), t);
      }
    }
    List<String> known = new ArrayList<>(List.of(modelName));
    descriptors.forEach(d -> known.add(d.id()));
    throw new ProtocolError(404, "unknown model '" + name + "'; this server has " + known);
  }

  private List<Integer> teachersOf(Model model) {
    if (!model.ensemble()) {
      return List.of(model.teacher());
    }
    List<Integer> all = new ArrayList<>();
    for (int t = 0; t < teachers.size(); t++) {
      all.add(t);
    }
    return all;
  }

  private ObjectNode metadata(Model model) {
    ObjectNode metadata = JSON.createObjectNode().put("name", model.name());
    metadata.putArray("versions").add(model.version());
    metadata.put("platform", model.ensemble() ? "stream-distill/ensemble"
        : "stream-distill/" + descriptors.get(model.teacher()).kind());
    ArrayNode inputs = metadata.putArray("inputs");
    List<String> names = new ArrayList<>();
    for (int t : teachersOf(model)) {
      TeacherDescriptor d = descriptors.get(t);
      String name = OipTensors.inputName(d);
      if (!names.contains(name)) {
        names.add(name);
        inputs.add(d.takesText() || d.takesFields() ? OipTensors.tensorMetadata(name, OipTensors.BYTES, -1)
            : OipTensors.tensorMetadata(name, OipTensors.FP32, -1, d.vectorWidth()));
      }
    }
    ArrayNode outputs = metadata.putArray("outputs");
    List<String> classes = descriptors.get(0).classes();
    ObjectNode logits = OipTensors.tensorMetadata(OipTensors.LOGITS, OipTensors.FP32, -1, classes.size());
    OipTensors.putClasses(logits, classes);
    outputs.add(logits);
    if (!model.ensemble() && descriptors.get(model.teacher()).embeddingWidth() > 0) {
      outputs.add(OipTensors.tensorMetadata(OipTensors.EMBEDDING, OipTensors.FP32, -1,
          descriptors.get(model.teacher()).embeddingWidth()));
    }
    return metadata;
  }

  private void infer(HttpExchange exchange, Model model) throws IOException {
    byte[] body = readLimited(exchange.getRequestBody());
    if (body == null) {
      throw new ProtocolError(413, "request body over " + maxBodyBytes + " bytes");
    }
    JsonNode request;
    try {
      request = OipTensors.JSON.readTree(body);
    } catch (IOException e) {
      throw new ProtocolError(400, "the body is not JSON: "
          + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
    List<Integer> which = teachersOf(model);
    List<List<TeacherInput>> inputs = new ArrayList<>();
    for (int t : which) {
      List<TeacherInput> batch;
      try {
        batch = OipTensors.inputs(request, descriptors.get(t));
      } catch (IllegalArgumentException e) {
        throw new ProtocolError(400, e.getMessage());
      }
      for (int i = 0; i < batch.size(); i++) {
        String problem = problem(batch.get(i), descriptors.get(t));
        if (problem != null) {
          throw new ProtocolError(400, "input " + i + ": " + problem);
        }
      }
      if (!inputs.isEmpty() && batch.size() != inputs.get(0).size()) {
        throw new ProtocolError(400, "the input tensors hold different numbers of inputs");
      }
      inputs.add(batch);
    }
    int n = inputs.get(0).size();
    List<String> wanted = requestedOutputs(request, model);
    long started = System.nanoTime();
    List<List<Prediction>> predictions = new ArrayList<>();
    if (n > 0) {
      List<TeacherPredictor> set;
      try {
        set = predictors.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TeacherUnavailableException("interrupted while waiting for a predictor", e);
      }
      try {
        for (int k = 0; k < which.size(); k++) {
          predictions.add(set.get(which.get(k)).predict(inputs.get(k)));
        }
      } finally {
        predictors.add(set);
      }
    }
    Timer.builder("distill.teacher.http.infer").description("Open Inference Protocol infer requests")
        .tag("model", model.name()).register(metrics).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);

    ObjectNode answer = JSON.createObjectNode().put("model_name", model.name()).put("model_version", model.version());
    if (request.hasNonNull("id")) {
      answer.put("id", request.get("id").asText());
    }
    ArrayNode outputs = answer.putArray("outputs");
    int classes = descriptors.get(0).classes().size();
    if (wanted.contains(OipTensors.LOGITS)) {
      List<float[]> logits = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        logits.add(model.ensemble() ? logOfMeanProbability(predictions, i) : predictions.get(0).get(i).logits());
      }
      outputs.add(OipTensors.output(OipTensors.LOGITS, logits, classes));
    }
    if (wanted.contains(OipTensors.EMBEDDING)) {
      int width = descriptors.get(model.teacher()).embeddingWidth();
      List<float[]> embeddings = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        float[] e = predictions.get(0).get(i).embedding();
        embeddings.add(e == null ? new float[width] : e);
      }
      outputs.add(OipTensors.output(OipTensors.EMBEDDING, embeddings, width));
    }
    reply(exchange, 200, answer, OipTensors.JSON);
  }

  /** The outputs the request names ({@code "outputs": [{"name": ...}]}), or all the model has. */
  private List<String> requestedOutputs(JsonNode request, Model model) {
    List<String> available = new ArrayList<>(List.of(OipTensors.LOGITS));
    if (!model.ensemble() && descriptors.get(model.teacher()).embeddingWidth() > 0) {
      available.add(OipTensors.EMBEDDING);
    }
    JsonNode asked = request.get("outputs");
    if (asked == null || asked.isNull()) {
      return available;
    }
    if (!asked.isArray()) {
      throw new ProtocolError(400, "\"outputs\" must be an array of {\"name\": ...}");
    }
    List<String> wanted = new ArrayList<>();
    for (JsonNode output : asked) {
      String name = output.path("name").asText("");
      if (!available.contains(name)) {
        throw new ProtocolError(400, "model '" + model.name() + "' has no output '" + name + "'; it has " + available);
      }
      wanted.add(name);
    }
    return wanted;
  }

  /** The ensemble's logits: ln of the mean of its teachers' probabilities (a softmax of it gives that mean). */
  private static float[] logOfMeanProbability(List<List<Prediction>> byTeacher, int i) {
    double[] mean = null;
    for (List<Prediction> predictions : byTeacher) {
      double[] p = softmax(predictions.get(i).logits());
      if (mean == null) {
        mean = new double[p.length];
      }
      for (int c = 0; c < p.length; c++) {
        mean[c] += p[c] / byTeacher.size();
      }
    }
    float[] logits = new float[mean.length];
    for (int c = 0; c < mean.length; c++) {
      logits[c] = (float) Math.log(Math.max(mean[c], Double.MIN_NORMAL));
    }
    return logits;
  }

  /** The stream's own checks (InputValidator) for one protocol input: finite vectors, text, fields. */
  private static String problem(TeacherInput input, TeacherDescriptor teacher) {
    if (teacher.takesText()) {
      return input.text().isBlank() ? "empty text: teacher " + teacher.id() + " takes text" : null;
    }
    if (teacher.takesFields()) {
      if (input.fields().isEmpty()) {
        return "no structured fields: teacher " + teacher.id() + " takes a record of named fields";
      }
      for (Map.Entry<String, Object> field : input.fields().entrySet()) {
        if (field.getValue() instanceof Double value && !Double.isFinite(value)) {
          return "field '" + field.getKey() + "' is " + value + ": numeric fields must be finite";
        }
      }
      return null;
    }
    float[] vector = input.vector();
    for (int i = 0; i < vector.length; i++) {
      if (!Float.isFinite(vector[i])) {
        return Float.isNaN(vector[i]) ? "vector has NaN at index " + i : "vector has an infinite value at index " + i;
      }
    }
    return null;
  }

  /** A local teacher is always ready; a remote one unless its circuit breaker is open. */
  private static boolean ready(Teacher teacher) {
    return !(teacher instanceof OipTeacher remote) || remote.breakerState() != CircuitBreaker.State.OPEN;
  }

  private void health(HttpExchange exchange) throws IOException {
    try (exchange) {
      String state = streamState.get();
      boolean up = ("RUNNING".equals(state) || "REBALANCING".equals(state)) && teachers.stream().allMatch(
          InferenceServer::ready);
      ObjectNode body = JSON.createObjectNode().put("status", up ? "UP" : "DOWN").put("stream", state);
      ArrayNode list = body.putArray("teachers");
      teachers.forEach(t -> {
        ObjectNode one = list.addObject().put("id", t.descriptor().id()).put("version", t.descriptor().version());
        if (t instanceof OipTeacher remote) {
          // A dead remote stops labelling (its batches wait in the store): say so here.
          one.put("remote", remote.options().url().toString()).put("breaker", remote.breakerState().name());
        }
      });
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
    reply(exchange, status, body, JSON);
  }

  private static void reply(HttpExchange exchange, int status, JsonNode body, ObjectMapper mapper) throws IOException {
    byte[] bytes = mapper.writeValueAsBytes(body);
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
