package io.streamdistill.teacher.http;

import static io.streamdistill.teacher.http.JsonReplies.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.remote.OipTensors;
import io.streamdistill.teacher.streams.InputValidator;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON of {@code POST /predict}: the request into the same {@link InputEvent} the stream reads,
 * and the teachers' predictions into the answer. Stateless, so any handler thread may call it.
 */
final class PredictJson {
  private PredictJson() {}

  /** Reads the request into an event and checks it against every teacher, exactly as the stream does. */
  static InputEvent parse(byte[] body, List<TeacherDescriptor> descriptors) throws IOException {
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

  /** The answer: the label and probabilities of the mean of the teachers' softmax, and each one's logits. */
  static ObjectNode answer(List<Teacher> teachers, List<Prediction> outputs, long micros) {
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

  /** Subtracts the largest logit first, so that large logits cannot overflow {@code exp}. */
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
}
