package io.streamdistill.teacher.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherInput;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The v1 predict protocol of TensorFlow Serving's REST API, KServe v1 and MLflow's scoring server: each batch is
 * {@code POST /v1/models/{model}[/versions/{v}]:predict} (or the {@code predictPath} option, e.g. MLflow's {@code
 * /invocations}) with {@code {"instances": [...]}}, one instance per input: a string (text), an array of numbers
 * (vector), an object of the named fields (structured). The answer is {@code {"predictions": [...]}}, one per
 * input, each of them:
 *
 * <ul>
 *   <li>an array of one number per class, in the classes' order;
 *   <li>an object: its {@code outputKey} (option), else the first of {@code logits}, {@code probabilities},
 *       {@code probs}, {@code scores} it has, else its only array; or, when its keys are the class names, their
 *       values in the classes' order (a table's row, as MLflow writes a DataFrame);
 *   <li>one number, or an array of one, for a model of two classes: the second class's probability (a sigmoid).
 * </ul>
 *
 * <p>The numbers are logits or probabilities ({@code outputs} option: {@code logits}, {@code probabilities}, or
 * {@code auto}: a row of values in [0, 1] summing to 1 is probabilities). Probabilities become logits as their
 * logarithms ({@link RemoteScores}): the softmax of those is the probabilities again, so soft labels are what the
 * model said. The protocol has no model metadata: the classes, the input and a vector's width are
 * teacher.json's, checked against every answer's shape.
 *
 * @param descriptor the teacher as teacher.json declares it
 * @param predictUri where batches are posted
 * @param outputKey the key of an object prediction holding the numbers, or null to find it
 * @param outputs {@code logits}, {@code probabilities} or {@code auto}
 */
record V1Protocol(TeacherDescriptor descriptor, URI predictUri, String outputKey, String outputs)
    implements RemoteProtocol {
  private static final List<String> OUTPUT_KEYS = List.of("logits", "probabilities", "probs", "scores");

  @Override
  public byte[] request(List<TeacherInput> batch) {
    return RemoteProtocol.json(batch.size() * Math.max(64, descriptor.vectorWidth() * 10), json -> {
      json.writeStartObject();
      json.writeArrayFieldStart("instances");
      for (TeacherInput input : batch) {
        if (descriptor.takesText()) {
          json.writeString(input.text());
        } else if (descriptor.takesFields()) {
          json.writeTree(OipTensors.fieldsObject(input.fields()));
        } else {
          json.writeStartArray();
          for (float v : input.vector()) {
            json.writeNumber(v);
          }
          json.writeEndArray();
        }
      }
      json.writeEndArray();
      json.writeEndObject();
    });
  }

  @Override
  public List<Prediction> predictions(JsonNode answer, int n) {
    JsonNode predictions = answer.get("predictions");
    if (predictions == null || !predictions.isArray()) {
      throw new IllegalArgumentException("the answer has no \"predictions\" array");
    }
    if (predictions.size() != n) {
      throw new IllegalArgumentException("the answer has " + predictions.size() + " predictions for " + n + " inputs");
    }
    List<Prediction> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new Prediction(logits(predictions.get(i), i), null));
    }
    return out;
  }

  /** The logits of one prediction, one per class. */
  private float[] logits(JsonNode prediction, int i) {
    List<String> classes = descriptor.classes();
    JsonNode numbers = prediction;
    if (prediction.isObject()) {
      numbers = outputKey != null ? prediction.get(outputKey) : null;
      for (Iterator<String> keys = OUTPUT_KEYS.iterator(); numbers == null && outputKey == null && keys.hasNext();) {
        numbers = prediction.get(keys.next());
      }
      if (numbers == null && outputKey == null) {
        numbers = byClassName(prediction);
      }
      if (numbers == null) {
        throw new IllegalArgumentException("prediction " + i + " is an object without " + (outputKey != null
            ? "the key '" + outputKey + "' (outputKey)" : "logits, probabilities, scores or one key per class")
            + "; its keys: " + keys(prediction));
      }
    }
    if (numbers.isArray() && numbers.size() == 1 && numbers.get(0).isArray()) {
      numbers = numbers.get(0); // [[...]]: a batch of one per instance
    }
    if (classes.size() == 2 && (numbers.isNumber() || (numbers.isArray() && numbers.size() == 1))) {
      double p = (numbers.isNumber() ? numbers : numbers.get(0)).asDouble();
      if (p < 0 || p > 1) {
        throw new IllegalArgumentException("prediction " + i + " is one number, " + p + ", not the probability of "
            + classes.get(1) + " a two-class model answers with");
      }
      return RemoteScores.logits(new double[] {1 - p, p}, "probabilities");
    }
    if (!numbers.isArray() || numbers.size() != classes.size()) {
      throw new IllegalArgumentException("prediction " + i + " is " + abbreviate(numbers) + ", not "
          + classes.size() + " numbers (one per class " + classes + ")");
    }
    double[] values = new double[numbers.size()];
    for (int c = 0; c < values.length; c++) {
      JsonNode value = numbers.get(c);
      if (!value.isNumber() || !Double.isFinite(value.asDouble())) {
        throw new IllegalArgumentException("prediction " + i + " value " + c + " is " + value + ", not a number");
      }
      values[c] = value.asDouble();
    }
    return RemoteScores.logits(values, outputs);
  }

  /** An object whose keys are the class names: their values in the classes' order; else null. */
  private JsonNode byClassName(JsonNode prediction) {
    List<String> classes = descriptor.classes();
    if (prediction.size() != classes.size()) {
      return null;
    }
    var array = OipTensors.JSON.createArrayNode();
    for (String name : classes) {
      JsonNode value = prediction.get(name);
      if (value == null) {
        return null;
      }
      array.add(value);
    }
    return array;
  }

  private static String keys(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return String.join(", ", names);
  }

  private static String abbreviate(JsonNode value) {
    String text = value.toString();
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }

  /**
   * The v1 protocol's own teacher.json options, beside the call options of {@link OipOptions}: {@code predictPath}
   * (default {@code /v1/models/{model}[/versions/{v}]:predict}; MLflow: {@code /invocations}), {@code outputKey},
   * {@code outputs}.
   */
  static final java.util.Set<String> OPTIONS = java.util.Set.of("predictPath", "outputKey", "outputs");

  /**
   * The protocol for a teacher.json's options.
   *
   * @throws IllegalArgumentException naming the option that is wrong
   */
  static V1Protocol of(TeacherDescriptor descriptor, OipOptions call, Map<String, String> options) {
    String path = options.get("predictPath");
    if (path != null && !path.startsWith("/")) {
      throw new IllegalArgumentException("teacher.json options: predictPath must start with /, is '" + path + "'");
    }
    String outputs = RemoteScores.outputs(options, "auto");
    URI uri = URI.create(call.url() + (path != null ? path : "/v1/models/" + call.modelPath() + ":predict"));
    String key = options.get("outputKey");
    return new V1Protocol(descriptor, uri, key == null || key.isBlank() ? null : key, outputs);
  }
}
