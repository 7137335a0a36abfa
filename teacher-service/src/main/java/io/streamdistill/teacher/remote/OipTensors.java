package io.streamdistill.teacher.remote;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherInput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON tensors of the Open Inference Protocol (KServe v2) as this project uses them, in one
 * place for both sides: the {@code oip} teacher (client) and the service's own {@code /v2}
 * endpoints (server), so that the two cannot drift.
 *
 * <ul>
 *   <li>Inputs, one tensor per micro-batch of n: a vector teacher's as {@code FP32 [n, width]}
 *       (row-major, flat or nested data), a text teacher's as {@code BYTES [n]} (one string each), a
 *       structured teacher's as {@code BYTES [n]}, each element one JSON object of the named fields
 *       ({@code {"proto": "tcp", "bytes": 512.0, "flag": null}}) as a string.
 *   <li>Outputs: {@code logits FP32 [n, classes]} and, when the teacher has one, {@code embedding
 *       FP32 [n, width]}.
 *   <li>Classes: the model metadata's {@code logits} output carries them in its {@code parameters}
 *       as {@code "classes"}: a string holding a JSON array (parameter values are strings, numbers
 *       or booleans in the protocol); a JSON array there, or a top-level {@code "classes"} array,
 *       is read too.
 * </ul>
 *
 * <p>Its length (about 400 lines): the writer and the reader of each tensor sit side by side on
 * purpose, so that a change to one side shows in the other.
 */
public final class OipTensors {
  public static final String LOGITS = "logits";
  public static final String EMBEDDING = "embedding";
  public static final String FP32 = "FP32";
  public static final String BYTES = "BYTES";
  /** Our input tensor's name for structured records, one JSON object per row as BYTES. */
  public static final String FIELDS_INPUT = "fields";
  /**
   * Tensors are mostly numbers: Jackson's fast float writer (Schubfach) and parser (FastDoubleParser)
   * take about half the time of the JDK's own conversions, on both sides of a call. For the server's
   * parsing of requests as well as this client.
   */
  public static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build());
  private static final JsonFactory FACTORY = JSON.getFactory();

  private OipTensors() {}

  /**
   * The name of a teacher's input tensor in our metadata: its input kind ({@code vector}, {@code text},
   * {@code fields}).
   */
  public static String inputName(TeacherDescriptor teacher) {
    return teacher.takesText() ? "text" : teacher.takesFields() ? FIELDS_INPUT : "vector";
  }

  /** The protocol datatype of a teacher's input tensor. */
  public static String inputDatatype(TeacherDescriptor teacher) {
    return teacher.takesText() || teacher.takesFields() ? BYTES : FP32;
  }

  // ------------------------------------------------------------------ client: request out, response in

  /** An inference request for one micro-batch: one input tensor named {@code inputName}, all outputs. */
  public static byte[] request(List<TeacherInput> batch, TeacherDescriptor teacher, String inputName) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(batch.size() * Math.max(64, teacher.vectorWidth() * 10));
    try (JsonGenerator json = FACTORY.createGenerator(bytes)) {
      json.writeStartObject();
      json.writeArrayFieldStart("inputs");
      json.writeStartObject();
      json.writeStringField("name", inputName);
      json.writeArrayFieldStart("shape");
      json.writeNumber(batch.size());
      if (!teacher.takesText() && !teacher.takesFields()) {
        json.writeNumber(teacher.vectorWidth());
      }
      json.writeEndArray();
      json.writeStringField("datatype", inputDatatype(teacher));
      json.writeArrayFieldStart("data");
      for (TeacherInput input : batch) {
        if (teacher.takesText()) {
          json.writeString(input.text());
        } else if (teacher.takesFields()) {
          json.writeString(fieldsJson(input.fields()));
        } else {
          for (float v : input.vector()) {
            json.writeNumber(v);
          }
        }
      }
      json.writeEndArray();
      json.writeEndObject();
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write an inference request", e);
    }
    return bytes.toByteArray();
  }

  /** A structured record as one JSON object's text. */
  static String fieldsJson(Map<String, Object> fields) {
    return fieldsObject(fields).toString();
  }

  /** A structured record as one JSON object; Avro may hand its strings over as any CharSequence. */
  static ObjectNode fieldsObject(Map<String, Object> fields) {
    ObjectNode record = JSON.createObjectNode();
    fields.forEach((name, value) -> {
      if (value == null) {
        record.putNull(name);
      } else if (value instanceof Number number) {
        record.put(name, number.doubleValue());
      } else {
        record.put(name, value.toString());
      }
    });
    return record;
  }

  /**
   * The predictions in an inference response for a batch of {@code n}.
   *
   * @throws IllegalArgumentException naming what is missing or of the wrong shape
   */
  public static List<Prediction> predictions(JsonNode response, int n, int classes, int embeddingWidth) {
    JsonNode outputs = response.get("outputs");
    if (outputs == null || !outputs.isArray()) {
      throw new IllegalArgumentException("the response has no \"outputs\" array");
    }
    JsonNode logits = tensor(outputs, LOGITS);
    if (logits == null && outputs.size() == 1) {
      logits = outputs.get(0); // a model with one output: that is the logits, whatever its name
    }
    if (logits == null) {
      throw new IllegalArgumentException("the response has no \"" + LOGITS + "\" output");
    }
    float[] flatLogits = floats(logits, n, classes, LOGITS);
    JsonNode embedding = embeddingWidth > 0 ? tensor(outputs, EMBEDDING) : null;
    float[] flatEmbedding = embedding == null ? null : floats(embedding, n, embeddingWidth, EMBEDDING);
    List<Prediction> predictions = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      float[] row = new float[classes];
      System.arraycopy(flatLogits, i * classes, row, 0, classes);
      float[] e = null;
      if (flatEmbedding != null) {
        e = new float[embeddingWidth];
        System.arraycopy(flatEmbedding, i * embeddingWidth, e, 0, embeddingWidth);
      }
      predictions.add(new Prediction(row, e));
    }
    return predictions;
  }

  private static float[] floats(JsonNode tensor, int n, int width, String name) {
    List<Long> shape = shape(tensor, name);
    if (shape.size() != 2 || shape.get(0) != n || shape.get(1) != width) {
      throw new IllegalArgumentException("output \"" + name + "\" has shape " + shape + ", expected [" + n + ", "
          + width + "]");
    }
    List<JsonNode> data = flatData(tensor, name);
    if (data.size() != n * width) {
      throw new IllegalArgumentException("output \"" + name + "\" has " + data.size() + " values for shape " + shape);
    }
    float[] values = new float[data.size()];
    for (int i = 0; i < values.length; i++) {
      if (!data.get(i).isNumber()) {
        throw new IllegalArgumentException("output \"" + name + "\" value " + i + " is not a number");
      }
      values[i] = data.get(i).floatValue();
    }
    return values;
  }

  // ------------------------------------------------------------------ server: request in, response out

  /**
   * The inputs for {@code teacher} in an inference request: the tensor named as {@link #inputName},
   * or the request's only tensor.
   *
   * @throws IllegalArgumentException what is wrong with the request, for a 400
   */
  public static List<TeacherInput> inputs(JsonNode request, TeacherDescriptor teacher) {
    if (request == null || !request.isObject()) {
      throw new IllegalArgumentException("the request must be a JSON object with \"inputs\"");
    }
    JsonNode inputs = request.get("inputs");
    if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
      throw new IllegalArgumentException("the request has no \"inputs\" tensors");
    }
    String name = inputName(teacher);
    JsonNode tensor = tensor(inputs, name);
    if (tensor == null && inputs.size() == 1) {
      tensor = inputs.get(0);
    }
    if (tensor == null) {
      throw new IllegalArgumentException("no input tensor \"" + name + "\" for teacher " + teacher.id());
    }
    String tensorName = tensor.path("name").asText("?");
    String datatype = tensor.path("datatype").asText("");
    List<Long> shape = shape(tensor, tensorName);
    List<JsonNode> data = flatData(tensor, tensorName);
    long elements = shape.stream().reduce(1L, (a, b) -> a * b);
    if (elements != data.size()) {
      throw new IllegalArgumentException("input \"" + tensorName + "\" has shape " + shape + " (" + elements
          + " values) but " + data.size() + " values");
    }
    List<TeacherInput> batch = new ArrayList<>();
    if (teacher.takesText() || teacher.takesFields()) {
      if (!BYTES.equals(datatype)) {
        throw new IllegalArgumentException("input \"" + tensorName + "\" must be BYTES, is " + datatype);
      }
      if (shape.size() != 1 && !(shape.size() == 2 && shape.get(1) == 1)) {
        throw new IllegalArgumentException("input \"" + tensorName + "\" must have shape [n] or [n, 1], has " + shape);
      }
      for (int i = 0; i < data.size(); i++) {
        JsonNode element = data.get(i);
        if (teacher.takesText()) {
          if (!element.isTextual()) {
            throw new IllegalArgumentException("input \"" + tensorName + "\" element " + i + " is not a string");
          }
          batch.add(TeacherInput.ofText(element.asText()));
        } else {
          batch.add(TeacherInput.ofFields(fields(element, tensorName, i)));
        }
      }
      return batch;
    }
    if (BYTES.equals(datatype) || "BOOL".equals(datatype) || datatype.isEmpty()) {
      throw new IllegalArgumentException("input \"" + tensorName + "\" must be numeric (FP32), is "
          + (datatype.isEmpty() ? "missing its datatype" : datatype));
    }
    int width = teacher.vectorWidth();
    if (shape.size() != 2 || shape.get(1) != width) {
      throw new IllegalArgumentException("input \"" + tensorName + "\" must have shape [n, " + width + "] for teacher "
          + teacher.id() + ", has " + shape);
    }
    for (int row = 0; row < shape.get(0); row++) {
      float[] vector = new float[width];
      for (int c = 0; c < width; c++) {
        JsonNode value = data.get(row * width + c);
        if (!value.isNumber()) {
          throw new IllegalArgumentException("input \"" + tensorName + "\" value " + (row * width + c)
              + " is not a number");
        }
        vector[c] = value.floatValue();
      }
      batch.add(TeacherInput.ofVector(vector));
    }
    return batch;
  }

  private static Map<String, Object> fields(JsonNode element, String tensorName, int index) {
    JsonNode record = element;
    if (element.isTextual()) {
      try {
        record = JSON.readTree(element.asText());
      } catch (IOException e) {
        throw new IllegalArgumentException("input \"" + tensorName + "\" element " + index
            + " is not a JSON object: " + e.getMessage());
      }
    }
    if (record == null || !record.isObject()) {
      throw new IllegalArgumentException("input \"" + tensorName + "\" element " + index + " is not a JSON object");
    }
    return fieldsOf(record, "input \"" + tensorName + "\" element " + index);
  }

  /** A JSON object of named fields as a structured record: numbers to Double, strings, nulls. */
  public static Map<String, Object> fieldsOf(JsonNode record, String where) {
    Map<String, Object> fields = new LinkedHashMap<>();
    record.properties().forEach(field -> {
      JsonNode value = field.getValue();
      if (value.isNull()) {
        fields.put(field.getKey(), null);
      } else if (value.isNumber()) {
        fields.put(field.getKey(), value.doubleValue());
      } else if (value.isTextual()) {
        fields.put(field.getKey(), value.asText());
      } else {
        throw new IllegalArgumentException(where + ": field '" + field.getKey()
            + "' must be a number, a string or null");
      }
    });
    return fields;
  }

  /** An output tensor {@code FP32 [rows.size(), width]}. */
  public static ObjectNode output(String name, List<float[]> rows, int width) {
    ObjectNode tensor = JSON.createObjectNode().put("name", name);
    tensor.putArray("shape").add(rows.size()).add(width);
    tensor.put("datatype", FP32);
    ArrayNode data = tensor.putArray("data");
    for (float[] row : rows) {
      for (float v : row) {
        data.add(v);
      }
    }
    return tensor;
  }

  /** A tensor's metadata: {@code {"name", "datatype", "shape"}}, -1 for a variable dimension. */
  public static ObjectNode tensorMetadata(String name, String datatype, long... shape) {
    ObjectNode tensor = JSON.createObjectNode().put("name", name).put("datatype", datatype);
    ArrayNode dims = tensor.putArray("shape");
    for (long d : shape) {
      dims.add(d);
    }
    return tensor;
  }

  /** The classes published with the {@code logits} output's metadata (see the class comment). */
  public static void putClasses(ObjectNode logitsMetadata, List<String> classes) {
    try {
      logitsMetadata.putObject("parameters").put("classes", JSON.writeValueAsString(classes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The class names in a model metadata answer, or an empty list when it has none.
   *
   * @throws IllegalArgumentException when they are there but not a list of strings
   */
  public static List<String> classes(JsonNode metadata) {
    JsonNode found = null;
    JsonNode outputs = metadata.path("outputs");
    JsonNode logits = outputs.isArray() ? tensor(outputs, LOGITS) : null;
    if (logits == null && outputs.isArray() && outputs.size() == 1) {
      logits = outputs.get(0);
    }
    if (logits != null && logits.path("parameters").has("classes")) {
      found = logits.path("parameters").get("classes");
    } else if (metadata.path("parameters").has("classes")) {
      found = metadata.path("parameters").get("classes");
    } else if (metadata.has("classes")) {
      found = metadata.get("classes");
    }
    if (found == null) {
      return List.of();
    }
    if (found.isTextual()) {
      try {
        found = JSON.readTree(found.asText());
      } catch (IOException e) {
        throw new IllegalArgumentException("the metadata's classes are not a JSON array: " + found.asText());
      }
    }
    if (!found.isArray()) {
      throw new IllegalArgumentException("the metadata's classes are not a list: " + found);
    }
    List<String> classes = new ArrayList<>();
    found.forEach(c -> classes.add(c.asText()));
    return classes;
  }

  static JsonNode tensor(JsonNode tensors, String name) {
    for (JsonNode tensor : tensors) {
      if (name.equals(tensor.path("name").asText(null))) {
        return tensor;
      }
    }
    return null;
  }

  static List<Long> shape(JsonNode tensor, String name) {
    JsonNode shape = tensor.get("shape");
    if (shape == null || !shape.isArray()) {
      throw new IllegalArgumentException("tensor \"" + name + "\" has no \"shape\"");
    }
    List<Long> dims = new ArrayList<>();
    for (JsonNode d : shape) {
      if (!d.canConvertToLong() || d.asLong() < 0) {
        throw new IllegalArgumentException("tensor \"" + name + "\" has a bad shape " + shape);
      }
      dims.add(d.asLong());
    }
    return dims;
  }

  /** The tensor's data in row-major order, whether sent flat or nested (the protocol allows both). */
  static List<JsonNode> flatData(JsonNode tensor, String name) {
    JsonNode data = tensor.get("data");
    if (data == null || !data.isArray()) {
      throw new IllegalArgumentException("tensor \"" + name + "\" has no \"data\" array");
    }
    List<JsonNode> flat = new ArrayList<>();
    flatten(data, flat);
    return flat;
  }

  private static void flatten(JsonNode node, List<JsonNode> into) {
    if (node.isArray()) {
      node.forEach(child -> flatten(child, into));
    } else {
      into.add(node);
    }
  }
}
