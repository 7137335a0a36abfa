package io.streamdistill.teacher.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherInput;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * HuggingFace's way of serving a text classifier: Text Embeddings Inference's {@code POST /predict}, an Inference
 * Endpoint (the inference toolkit's {@code POST /}) or a {@code transformers} pipeline behind a small server. Each
 * answers, per text, a list of {@code {"label": ..., "score": ...}} objects, one per class, in the order of their
 * scores; the labels are matched to the classes by name ({@link #serverLabels}), never by position.
 *
 * <p>Two request styles, as the two servers read a batch:
 *
 * <ul>
 *   <li>{@link Style#TEI}: {@code {"inputs": [["text 1"], ["text 2"]], "truncate": true, "raw_scores": true}}.
 *       Each text is a list of one, because TEI reads a plain list of two strings as one text pair; {@code
 *       raw_scores} makes the scores the logits (unless {@code outputs=probabilities}); {@code truncate} cuts a long
 *       text to the model's length rather than refusing it.
 *   <li>{@link Style#PIPELINE}: {@code {"inputs": ["text 1", "text 2"], "parameters": {"top_k": null, "truncation":
 *       true}}}: the pipeline's {@code top_k=None} answers every class rather than the top one alone.
 * </ul>
 *
 * <p>A server that answers one {@code {label, score}} per text (a pipeline asked for its top class alone) gives no
 * distribution to learn from: refused, saying so. Scores are logits or probabilities as {@code outputs} says ({@code
 * auto}: a row in [0, 1] summing to 1 is probabilities, made logits by {@link RemoteScores}).
 *
 * @param descriptor the teacher as teacher.json declares it (text input)
 * @param predictUri where batches are posted
 * @param style how a batch is written
 * @param serverLabels the label the server gives each of {@code descriptor.classes()}, in their order
 * @param outputs {@code logits}, {@code probabilities} or {@code auto}
 * @param image for an image classifier (an Inference Endpoint's {@code image-classification} pipeline), the shape of
 *     the images its vector inputs hold, each sent alone as {@code {"inputs": "<base64 PNG>", "parameters": {"top_k":
 *     <classes>}}}; null for text
 */
record HfProtocol(TeacherDescriptor descriptor, URI predictUri, Style style, List<String> serverLabels,
    String outputs, RemoteImages.Shape image) implements RemoteProtocol {

  /** How a batch is written: as Text Embeddings Inference reads it, or as a transformers pipeline does. */
  enum Style {
    TEI, PIPELINE;

    /** The option's value, as teacher.json spells it. */
    String value() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The protocol's own teacher.json options, beside the call options of {@link OipOptions}. */
  static final Set<String> OPTIONS = Set.of("style", "predictPath", "labels", "outputs", RemoteImages.SHAPE_OPTION);
  /** The {@code top_k} a probe asks an image pipeline for: more than any model has, so it answers every class. */
  static final int ALL_CLASSES = 100_000;
  /** TEI's classification route. */
  static final String TEI_PATH = "/predict";
  /** An Inference Endpoint's route (the inference toolkit serves the model at the root). */
  static final String PIPELINE_PATH = "/";

  HfProtocol {
    serverLabels = List.copyOf(serverLabels);
    if (serverLabels.size() != descriptor.classes().size()) {
      throw new IllegalArgumentException("teacher.json options: labels names " + serverLabels.size()
          + " labels for " + descriptor.classes().size() + " classes " + descriptor.classes());
    }
  }

  @Override
  public byte[] request(List<TeacherInput> batch) {
    if (image != null) {
      return imageBody(Base64.getEncoder().encodeToString(RemoteImages.png(batch.get(0).vector(), image.dims())),
          serverLabels.size());
    }
    return body(style, batch.stream().map(TeacherInput::text).toList(), !outputs.equals("probabilities"));
  }

  /** An image pipeline reads one image a request: each image is its own call. */
  @Override
  public int inputsPerCall() {
    return image != null ? 1 : Integer.MAX_VALUE;
  }

  /** Image calls in flight at once per batch. */
  @Override
  public int callsAtOnce() {
    return 4;
  }

  /**
   * The request body of one image ({@code base64}, a PNG), asking for {@code topK} classes: an image pipeline answers
   * its top 5 unless told (and as many as it has when asked for more).
   */
  static byte[] imageBody(String base64, int topK) {
    return RemoteProtocol.json(base64.length() + 64, json -> {
      json.writeStartObject();
      json.writeStringField("inputs", base64);
      json.writeObjectFieldStart("parameters");
      json.writeNumberField("top_k", topK);
      json.writeEndObject();
      json.writeEndObject();
    });
  }

  /** The request body of {@code texts} in {@code style}; {@code rawScores} asks TEI for logits. */
  static byte[] body(Style style, List<String> texts, boolean rawScores) {
    return RemoteProtocol.json(64 + texts.size() * 256, json -> {
      json.writeStartObject();
      json.writeArrayFieldStart("inputs");
      for (String text : texts) {
        if (style == Style.TEI) {
          json.writeStartArray();
          json.writeString(text);
          json.writeEndArray();
        } else {
          json.writeString(text);
        }
      }
      json.writeEndArray();
      if (style == Style.TEI) {
        json.writeBooleanField("truncate", true);
        json.writeBooleanField("raw_scores", rawScores);
      } else {
        json.writeObjectFieldStart("parameters");
        json.writeNullField("top_k");
        json.writeBooleanField("truncation", true);
        json.writeEndObject();
      }
      json.writeEndObject();
    });
  }

  @Override
  public List<Prediction> predictions(JsonNode answer, int n) {
    List<Map<String, Double>> scores = scores(answer, n);
    List<Prediction> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Map<String, Double> byLabel = scores.get(i);
      double[] values = new double[serverLabels.size()];
      for (int c = 0; c < values.length; c++) {
        Double value = byLabel.get(serverLabels.get(c));
        if (value == null) {
          throw new IllegalArgumentException("answer " + i + " has no score for the label '" + serverLabels.get(c)
              + "' (class " + descriptor.classes().get(c) + "); its labels: " + byLabel.keySet());
        }
        values[c] = value;
      }
      if (byLabel.size() != values.length) {
        throw new IllegalArgumentException("answer " + i + " has the labels " + byLabel.keySet() + ", not the "
            + values.length + " of teacher.json " + serverLabels);
      }
      out.add(new Prediction(RemoteScores.logits(values, outputs), null));
    }
    return out;
  }

  /**
   * Each text's scores by label, from an answer to {@code n} texts: a list of {@code n} lists of {@code {label,
   * score}} (for one text also the list of its scores alone, as TEI answers a single input).
   *
   * @throws IllegalArgumentException for any other shape, saying which
   */
  static List<Map<String, Double>> scores(JsonNode answer, int n) {
    if (answer == null || !answer.isArray()) {
      throw new IllegalArgumentException("the answer is " + abbreviate(answer) + ", not a list of each text's"
          + " [{\"label\": ..., \"score\": ...}, ...]");
    }
    JsonNode perText = answer;
    if (n == 1 && answer.size() > 0 && answer.get(0).isObject() && answer.get(0).has("label")
        && answer.size() > 1) {
      perText = OipTensors.JSON.createArrayNode().add(answer); // one text's scores, not wrapped
    }
    if (perText.size() != n) {
      throw new IllegalArgumentException("the answer has " + perText.size() + " entries for " + n + " texts");
    }
    List<Map<String, Double>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      JsonNode entry = perText.get(i);
      if (entry.isObject() && entry.has("label")) {
        throw new IllegalArgumentException("the server answered only its top class for text " + i + " ("
            + abbreviate(entry) + "): ask it for every class's score (a transformers pipeline: top_k=None, which"
            + " the request sends as parameters; a handler of your own must return every label's score)");
      }
      if (!entry.isArray() || entry.isEmpty()) {
        throw new IllegalArgumentException("answer " + i + " is " + abbreviate(entry) + ", not a list of"
            + " {\"label\": ..., \"score\": ...}");
      }
      Map<String, Double> byLabel = new HashMap<>();
      for (JsonNode item : entry) {
        JsonNode label = item.get("label");
        JsonNode score = item.get("score");
        if (label == null || !label.isTextual() || score == null || !score.isNumber()
            || !Double.isFinite(score.asDouble())) {
          throw new IllegalArgumentException("answer " + i + " holds " + abbreviate(item) + ", not a {\"label\":"
              + " text, \"score\": number}");
        }
        if (byLabel.put(label.asText(), score.asDouble()) != null) {
          throw new IllegalArgumentException("answer " + i + " gives the label '" + label.asText() + "' twice");
        }
      }
      out.add(byLabel);
    }
    return out;
  }

  private static String abbreviate(JsonNode value) {
    String text = String.valueOf(value);
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }

  /**
   * The protocol for a teacher.json's options: {@code style} ({@code tei}, the default, or {@code pipeline}),
   * {@code predictPath} ({@value #TEI_PATH} for tei, {@value #PIPELINE_PATH} for pipeline), {@code labels} (the
   * server's label of each class, comma-separated, when they are not the class names: {@code LABEL_0,LABEL_1}),
   * {@code outputs} (tei: {@code logits}, as raw scores are; pipeline: {@code auto}).
   *
   * @throws IllegalArgumentException naming the option that is wrong
   */
  static HfProtocol of(TeacherDescriptor descriptor, OipOptions call, Map<String, String> options) {
    Style style = style(options);
    RemoteImages.Shape image = null;
    if (descriptor.takesFields()) {
      throw new IllegalArgumentException("a HuggingFace server classifies text or images; this teacher.json says its"
          + " input is " + descriptor.input() + " (for records: kind oip, v1 or llm)");
    }
    if (!descriptor.takesText()) {
      image = RemoteImages.Shape.of(descriptor, options, "a HuggingFace image classifier");
      if (style != Style.PIPELINE) {
        throw new IllegalArgumentException("teacher.json options: images go to an Inference Endpoint or a pipeline"
            + " (style pipeline); Text Embeddings Inference serves text");
      }
    }
    String outputs = RemoteScores.outputs(options, style == Style.TEI ? "logits" : "auto");
    String labels = options.get("labels");
    List<String> serverLabels = labels == null ? descriptor.classes()
        : List.of(labels.split(",", -1)).stream().map(String::strip).toList();
    if (Set.copyOf(serverLabels).size() != serverLabels.size()) {
      throw new IllegalArgumentException("teacher.json options: labels names a label twice: " + labels);
    }
    return new HfProtocol(descriptor, predictUri(call, style, options), style, serverLabels, outputs, image);
  }

  /**
   * The {@code style} option ({@code tei} when absent).
   *
   * @throws IllegalArgumentException when it is neither tei nor pipeline
   */
  static Style style(Map<String, String> options) {
    String name = options.getOrDefault("style", Style.TEI.value()).toLowerCase(Locale.ROOT);
    return switch (name) {
      case "tei" -> Style.TEI;
      case "pipeline" -> Style.PIPELINE;
      default -> throw new IllegalArgumentException("teacher.json options: style must be tei (Text Embeddings"
          + " Inference) or pipeline (an Inference Endpoint, a transformers pipeline), is '" + name + "'");
    };
  }

  /**
   * Where batches of {@code style} are posted: the {@code predictPath} option, else {@value #TEI_PATH} or
   * {@value #PIPELINE_PATH}.
   *
   * @throws IllegalArgumentException when the path does not start with /
   */
  static URI predictUri(OipOptions call, Style style, Map<String, String> options) {
    String path = options.getOrDefault("predictPath", style == Style.TEI ? TEI_PATH : PIPELINE_PATH);
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("teacher.json options: predictPath must start with /, is '" + path + "'");
    }
    return URI.create(call.url() + path);
  }
}
