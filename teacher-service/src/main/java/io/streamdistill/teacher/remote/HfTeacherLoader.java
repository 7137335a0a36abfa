package io.streamdistill.teacher.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherLoader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads a text classifier served the HuggingFace way ({@link HfProtocol}): kind {@code hf}, for a model behind Text
 * Embeddings Inference, an Inference Endpoint or a {@code transformers} pipeline in a server of your own. Like the
 * other remote kinds the directory holds only a teacher.json:
 *
 * <pre>{@code
 * {
 *   "id": "sst2", "version": "sha:3d65a1b2c4e5", "kind": "hf",
 *   "classes": ["negative", "positive"], "input": "text", "vectorWidth": 0, "embeddingWidth": 0,
 *   "files": {},
 *   "options": {"url": "http://tei:8080", "model": "distilbert-sst2", "style": "tei",
 *               "labels": "NEGATIVE,POSITIVE", "tokenEnv": "HF_TOKEN", "timeoutMs": "2000"}
 * }
 * }</pre>
 *
 * <p>{@link #describe} (import's {@code --kind hf}) reads the classes from the server: TEI's {@code GET /info}
 * ({@code model_type.classifier.id2label}, in id order; its {@code model_id} and {@code model_sha} are the model and
 * version), else one probe text's answer (its labels, in natural order: {@code LABEL_2} before {@code LABEL_10}).
 * Nothing is called at load: the first batch finds a server that is not there, with its address in the message.
 */
public final class HfTeacherLoader implements TeacherLoader {
  /** The kind in teacher.json. */
  public static final String KIND = "hf";
  private static final Pattern NUMBER = Pattern.compile("\\d+");

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Teacher load(Path dir, TeacherDescriptor descriptor) {
    return RemoteLoading.load(dir, descriptor, KIND, HfProtocol.OPTIONS,
        (d, call) -> HfProtocol.of(d, call, d.options()),
        "HuggingFace text classification, style " + descriptor.options().getOrDefault("style", "tei"));
  }


  /**
   * Writes the {@code teacher.json} of a text classifier behind a HuggingFace server into {@code dir}, from what the
   * server says of it.
   *
   * @param id the teacher's id, or null for the model's name
   * @param version the version soft labels carry, or null for the server's ({@code model_sha}) or {@code remote}
   * @param classes the names your data gives the classes: the server's labels in any order, or as many new names
   *     in the server's order (id order; {@code LABEL_0, LABEL_1} become them); empty for the server's labels
   * @param input null, {@code text}, or {@code vector} for an image classifier (with the option {@code inputShape})
   * @param options the teacher.json options: {@code url}; {@code model} (else TEI's model id, else {@code hf});
   *     {@code style}, {@code predictPath} (else told from the server: TEI when {@code /info} describes a
   *     classifier, else a pipeline at {@code /}), ...
   * @param probeText the text posted to learn the labels when the server does not describe its model
   * @throws IllegalArgumentException naming what the caller must give or change
   * @throws TeacherException when the server cannot be reached or answers nothing a classifier would
   */
  public static TeacherDescriptor describe(Path dir, String id, String version, List<String> classes, String input,
      Map<String, String> options, String probeText) {
    boolean images = options.containsKey(RemoteImages.SHAPE_OPTION);
    RemoteImages.Shape shape = images ? RemoteImages.Shape.parse(options.get(RemoteImages.SHAPE_OPTION),
        "a HuggingFace image classifier") : null;
    String chosenInput = images ? TeacherDescriptor.VECTOR : TeacherDescriptor.TEXT;
    if (input != null && !input.equals(chosenInput)) {
      throw new IllegalArgumentException("--input " + input + ": a HuggingFace server classifies text, or images"
          + " (--option inputShape=3,224,224: each image vector sent as a PNG); for records: --kind oip, v1 or llm");
    }
    Map<String, String> written = new LinkedHashMap<>(options);
    written.putIfAbsent("model", "hf");
    if (images) {
      written.putIfAbsent("style", HfProtocol.Style.PIPELINE.value()); // TEI serves no image model
    }
    OipOptions call = OipOptions.parse(written, KIND, HfProtocol.OPTIONS);
    JsonNode info = written.containsKey("style") ? null
        : RemoteLoading.call(call, call.request(URI.create(call.url() + "/info")).GET().build(), "the model info");
    List<String> served;
    String sha = null;
    if (info != null && info.has("model_type")) {
      JsonNode classifier = info.path("model_type").path("classifier");
      if (!classifier.isObject()) {
        throw new IllegalArgumentException("the server at " + call.url() + " serves "
            + info.path("model_id").asText("a model") + " as " + info.path("model_type") + ", not a classifier:"
            + " an embedding model is no teacher (./distill train-teacher --encoder DIR trains a head on one)");
      }
      written.put("style", HfProtocol.Style.TEI.value());
      if (!options.containsKey("model") && info.hasNonNull("model_id")) {
        written.put("model", info.get("model_id").asText());
      }
      sha = info.path("model_sha").asText(null);
      served = byId(classifier.path("id2label"), call.url());
    } else {
      written.putIfAbsent("style", HfProtocol.Style.PIPELINE.value());
      served = probeLabels(call, written, images
          ? HfProtocol.imageBody(RemoteImages.blackPngBase64(shape), HfProtocol.ALL_CLASSES)
          : HfProtocol.body(HfProtocol.style(written), List.of(probeText), true));
    }
    String where = "the model " + written.get("model") + " at " + call.url();
    List<String> named = classes == null || classes.isEmpty() ? served : List.copyOf(classes);
    if (!new HashSet<>(named).equals(new HashSet<>(served))) {
      if (named.size() != served.size()) {
        throw new IllegalArgumentException(where + " has " + served.size() + " classes " + served + ": --classes"
            + " names " + named.size() + " " + named + " (its labels in any order, or as many names in that order)");
      }
      written.put("labels", String.join(",", served)); // the server's label of each class, in the classes' order
    }
    String modelId = written.get("model");
    TeacherDescriptor descriptor = new TeacherDescriptor(id != null ? id : modelId.substring(modelId.lastIndexOf('/')
        + 1), version != null ? version : sha != null && !sha.isBlank() ? "sha:" + sha.substring(0, Math.min(12,
        sha.length())) : "remote", KIND, named, chosenInput, images ? shape.width() : 0, 0, Map.of(), Map.of(),
        written);
    HfProtocol.of(descriptor, OipOptions.parse(written, KIND, HfProtocol.OPTIONS), written);
    return TeacherDirectory.write(dir, descriptor, List.of());
  }

  /** TEI's {@code id2label} in id order. */
  private static List<String> byId(JsonNode id2label, URI url) {
    TreeMap<Integer, String> byId = new TreeMap<>();
    id2label.properties().forEach(e -> {
      try {
        byId.put(Integer.parseInt(e.getKey()), e.getValue().asText());
      } catch (NumberFormatException ex) {
        throw new TeacherException("the model info at " + url + "/info has an id2label key '" + e.getKey()
            + "' that is no number", ex);
      }
    });
    if (byId.size() < 2) {
      throw new TeacherException("the model info at " + url + "/info names " + byId.size() + " classes (id2label: "
          + id2label + "): a classifier has two at least");
    }
    return List.copyOf(byId.values());
  }

  /** The labels of the answer to one probe ({@code body}: a text's or a black image's request), in natural order. */
  private static List<String> probeLabels(OipOptions call, Map<String, String> options, byte[] body) {
    HfProtocol.Style style = HfProtocol.style(options);
    URI uri = HfProtocol.predictUri(call, style, options);
    HttpRequest request = call.request(uri).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    JsonNode answer = RemoteLoading.call(call, request, "a probe text's classes");
    if (answer == null) {
      throw new TeacherException("nothing answers at " + uri + " (404): give the route with --option predictPath=/..."
          + " (Text Embeddings Inference: /predict; an Inference Endpoint: /)");
    }
    List<String> labels;
    try {
      labels = new ArrayList<>(HfProtocol.scores(answer, 1).get(0).keySet());
    } catch (IllegalArgumentException e) {
      throw new TeacherException("the answer of " + uri + " to a probe text: " + e.getMessage(), e);
    }
    if (labels.size() < 2) {
      throw new TeacherException("the answer of " + uri + " to a probe text names " + labels.size() + " class "
          + labels + ": a classifier scores two at least (a pipeline: top_k=None)");
    }
    labels.sort(Comparator.comparing(HfTeacherLoader::naturalKey));
    return labels;
  }

  /** A label with its numbers zero-padded, so that LABEL_2 sorts before LABEL_10. */
  private static String naturalKey(String label) {
    Matcher digits = NUMBER.matcher(label);
    StringBuilder key = new StringBuilder();
    while (digits.find()) {
      digits.appendReplacement(key, "0".repeat(Math.max(0, 12 - digits.group().length())) + digits.group());
    }
    digits.appendTail(key);
    return key.toString();
  }
}
