package io.streamdistill.teacher.http;

import static io.streamdistill.teacher.http.JsonReplies.JSON;
import static io.streamdistill.teacher.http.JsonReplies.error;
import static io.streamdistill.teacher.http.JsonReplies.reply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamdistill.http.HttpRequest;
import io.streamdistill.http.HttpResponse;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherInputException;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.model.TeacherUnavailableException;
import io.streamdistill.teacher.remote.CircuitBreaker;
import io.streamdistill.teacher.remote.OipTensors;
import io.streamdistill.teacher.remote.RemoteTeacher;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Open Inference Protocol (KServe v2) under {@code /v2}, as {@link InferenceServer} documents it:
 * server and model metadata, liveness and readiness, and {@code infer}, with errors as {@code
 * {"error": "..."}}. Its own type so that the protocol's routing and tensors stay apart from the
 * server's lifecycle.
 *
 * <p>Owns nothing: the {@link InferenceServer} that makes it owns the predictor pool it borrows from
 * (one set per request, as DJL predictors are not thread-safe) and closes it. Safe to call from any
 * handler thread, since its own fields never change.
 */
final class OipEndpoints {
  private static final Logger LOGGER = LoggerFactory.getLogger(OipEndpoints.class);

  private final String modelName;
  private final List<Teacher> teachers;
  private final List<TeacherDescriptor> descriptors;
  private final BlockingQueue<List<TeacherPredictor>> predictors;
  private final MeterRegistry metrics;

  /**
   * Serves the given teachers; the lists are the server's, which never changes them.
   *
   * @param modelName the ensemble's model name, already checked by the server
   * @param predictors the server's pool: borrowed for one infer request, always given back
   */
  OipEndpoints(String modelName, List<Teacher> teachers, List<TeacherDescriptor> descriptors,
      BlockingQueue<List<TeacherPredictor>> predictors, MeterRegistry metrics) {
    this.modelName = modelName;
    this.teachers = teachers;
    this.descriptors = descriptors;
    this.predictors = predictors;
    this.metrics = metrics;
  }

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

  /** Answers a request for {@code /v2} or a path under it. */
  HttpResponse handle(HttpRequest request) throws IOException {
    try {
      return route(request);
    } catch (ProtocolError e) {
      return reply(e.status, error(e.getMessage()));
    } catch (TeacherUnavailableException e) {
      return reply(503, error(e.getMessage()));
    } catch (TeacherInputException e) {
      // As for /predict: the request's input does not fit a teacher, which is no failure of the service.
      LOGGER.atDebug().addKeyValue("reason", e.getMessage()).log("inference request refused an input");
      return reply(400, error(e.getMessage()));
    } catch (RuntimeException e) {
      LOGGER.atWarn().setCause(e).log("inference request failed");
      return reply(500, error("the teacher failed: " + e.getMessage()));
    }
  }

  private HttpResponse route(HttpRequest request) throws IOException {
    String raw = request.rawPath();
    List<String> path = request.segmentsAfter("/v2");
    String method = request.method();
    if (path.isEmpty()) {
      requireMethod(method, "GET");
      ObjectNode metadata = JSON.createObjectNode().put("name", modelName).put("version", "stream-distill 0.1.0");
      metadata.putArray("extensions");
      return reply(200, metadata);
    }
    if (path.size() == 2 && "health".equals(path.get(0))) {
      requireMethod(method, "GET");
      if ("live".equals(path.get(1))) {
        return reply(200, JSON.createObjectNode().put("live", true));
      }
      if ("ready".equals(path.get(1))) {
        boolean ready = teachers.stream().allMatch(OipEndpoints::ready);
        return reply(ready ? 200 : 503, JSON.createObjectNode().put("ready", ready));
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
        return reply(200, metadata(model));
      }
      if (rest.size() == 1 && "ready".equals(rest.get(0))) {
        requireMethod(method, "GET");
        boolean ready = model.ensemble() ? teachers.stream().allMatch(OipEndpoints::ready)
            : ready(teachers.get(model.teacher()));
        return reply(ready ? 200 : 503, JSON.createObjectNode().put("name", model.name()).put("ready", ready));
      }
      if (rest.size() == 1 && "infer".equals(rest.get(0))) {
        requireMethod(method, "POST");
        return infer(request.body(), model);
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

  private HttpResponse infer(byte[] body, Model model) throws IOException {
    JsonNode request;
    try {
      request = OipTensors.JSON.readTree(body);
    } catch (IOException e) {
      throw new ProtocolError(400, "the body is not JSON: "
          + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
              ? j.getOriginalMessage() : e.getMessage()));
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
    return reply(200, answer, OipTensors.JSON);
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
      double[] p = PredictJson.softmax(predictions.get(i).logits());
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
  static boolean ready(Teacher teacher) {
    return !(teacher instanceof RemoteTeacher remote) || remote.breakerState() != CircuitBreaker.State.OPEN;
  }
}
