package io.streamdistill.teacher.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a remote teacher: kind {@code oip}. The directory holds only a teacher.json, with no files
 * (nothing local to verify; {@code TeacherDirectory} allows that for this kind alone).
 *
 * <pre>{@code
 * {
 *   "id": "big-bert", "version": "remote", "kind": "oip",
 *   "classes": ["ham", "spam"], "input": "text", "vectorWidth": 0, "embeddingWidth": 0,
 *   "files": {},
 *   "options": {"url": "http://triton:8000", "model": "spam-bert", "modelVersion": "3",
 *               "timeoutMs": "2000", "retries": "2", "backoffMs": "100",
 *               "breakerFailures": "5", "breakerOpenMs": "5000", "retryStatus": "429,502,503,504"}
 * }
 * }</pre>
 *
 * <p>At load, {@code GET /v2/models/{model}[/versions/{v}]} (the model metadata) decides:
 *
 * <ul>
 *   <li>the version soft labels carry: {@code options.modelVersion} when pinned, else the
 *       metadata's only (or last) entry of {@code versions}, else teacher.json's {@code version};
 *   <li>the classes: the metadata's (see {@link OipTensors}); teacher.json's {@code classes} must
 *       equal them, so that an ensemble's shared classes are checked before anything runs and a
 *       remote that changed its classes is refused rather than silently mislabelling. A server that
 *       publishes no classes is trusted to follow teacher.json's, with a warning;
 *   <li>the input tensor's name: the metadata's first input (teacher.json's {@code input} says
 *       which kind: vector, text or structured); its width must match {@code vectorWidth};
 *   <li>the embedding: an output named {@code embedding} of shape {@code [-1, width]} makes it part
 *       of every prediction.
 * </ul>
 *
 * <p>The metadata call gets the same timeout and retries as inference; a remote that cannot be
 * reached at start-up fails the load with the URL in the message.
 */
public final class OipTeacherLoader implements TeacherLoader {
  private static final Logger LOGGER = LoggerFactory.getLogger(OipTeacherLoader.class);
  /** The kind in teacher.json. */
  public static final String KIND = "oip";

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Teacher load(Path dir, TeacherDescriptor descriptor) {
    OipOptions options;
    try {
      options = OipOptions.parse(descriptor.options());
    } catch (IllegalArgumentException e) {
      throw new TeacherException(dir.resolve(TeacherDescriptor.FILE_NAME) + ": " + e.getMessage(), e);
    }
    return load(descriptor, options);
  }

  /** Loads from an already-parsed descriptor (tests and programmatic use). */
  public static RemoteTeacher load(TeacherDescriptor declared, OipOptions options) {
    JsonNode metadata = metadata(options);
    TeacherDescriptor resolved = resolve(declared, options, metadata);
    String inputName = inputName(resolved, metadata);
    RemoteTeacher teacher = new RemoteTeacher(resolved, options, new OipProtocol(resolved, options, inputName),
        new CircuitBreaker(options.breakerFailures(), options.breakerOpen()), d -> Thread.sleep(d.toMillis()));
    LOGGER.atInfo().addKeyValue("teacher", resolved.id()).addKeyValue("url", options.url())
        .addKeyValue("model", options.model()).addKeyValue("modelVersion", resolved.version())
        .addKeyValue("classes", resolved.classes().size()).addKeyValue("embeddingWidth", resolved.embeddingWidth())
        .log("remote teacher loaded");
    return teacher;
  }

  /**
   * Writes the {@code teacher.json} of a remote teacher into {@code dir} from the server's model metadata: the
   * classes (the {@code logits} output's {@code parameters.classes}, else {@code classes}, which must equal them
   * when both are there), the input kind (a {@code BYTES} input is text unless {@code input} says structured or
   * it is named {@value OipTensors#FIELDS_INPUT}, as a teacher service names its records' input; a numeric one is a
   * vector of the input's fixed width, else {@code vectorWidth}).
   *
   * @param input {@code text}, {@code structured}, {@code vector}, or null to tell it from the metadata
   * @param vectorWidth a vector input's width when the metadata leaves it open; 0 otherwise
   * @param options the teacher.json options ({@code url}, {@code model}, ...; see {@link OipOptions})
   * @throws IllegalArgumentException naming what the caller must give or change
   * @throws TeacherException when the server cannot be reached or has no such model
   */
  public static TeacherDescriptor describe(Path dir, String id, List<String> classes, String input, int vectorWidth,
      Map<String, String> options) {
    OipOptions parsed = OipOptions.parse(options);
    JsonNode metadata = metadata(parsed);
    String where = "the model " + parsed.model() + " at " + parsed.url();
    List<String> named = OipTensors.classes(metadata);
    if (named.isEmpty() && (classes == null || classes.isEmpty())) {
      throw new IllegalArgumentException(where + " names no classes for its logits (the output's"
          + " parameters.classes): give them in logit order with --classes");
    }
    if (!named.isEmpty() && classes != null && !classes.isEmpty() && !named.equals(classes)) {
      throw new IllegalArgumentException(where + " names its classes " + named + ", not " + classes);
    }
    JsonNode first = metadata.path("inputs").path(0);
    String datatype = first.path("datatype").asText("");
    boolean bytes = OipTensors.BYTES.equals(datatype);
    String kind = input;
    if (kind == null) {
      // A BYTES input is text, unless it is named as a teacher service names its records' input.
      kind = !bytes && !datatype.isEmpty() ? TeacherDescriptor.VECTOR
          : OipTensors.FIELDS_INPUT.equals(first.path("name").asText()) ? TeacherDescriptor.STRUCTURED
              : TeacherDescriptor.TEXT;
    } else if (bytes == TeacherDescriptor.VECTOR.equals(kind) && !datatype.isEmpty()) {
      throw new IllegalArgumentException(where + " takes " + datatype + " input " + first.path("name").asText()
          + ", which is not " + kind + " input");
    }
    int width = 0;
    if (TeacherDescriptor.VECTOR.equals(kind)) {
      JsonNode shape = first.path("shape");
      int declared = shape.size() == 2 ? shape.get(1).asInt() : 0;
      if (declared > 0 && vectorWidth > 0 && declared != vectorWidth) {
        throw new IllegalArgumentException(where + " takes vectors of " + declared + ", not --vector-width "
            + vectorWidth);
      }
      width = declared > 0 ? declared : vectorWidth;
      if (width <= 0) {
        throw new IllegalArgumentException(where + " takes vectors of a width its metadata leaves open (shape "
            + shape + "): give --vector-width");
      }
    }
    TeacherDescriptor descriptor = new TeacherDescriptor(id, "remote", KIND, named.isEmpty() ? classes : named, kind,
        width, 0, Map.of(), Map.of(), options);
    return TeacherDirectory.write(dir, descriptor, List.of());
  }

  /** The teacher as the remote describes it, checked against what teacher.json declares. */
  static TeacherDescriptor resolve(TeacherDescriptor declared, OipOptions options, JsonNode metadata) {
    String where = "remote teacher " + declared.id() + " (" + options.modelUri() + ")";
    List<String> classes;
    try {
      classes = OipTensors.classes(metadata);
    } catch (IllegalArgumentException e) {
      throw new TeacherException(where + ": " + e.getMessage(), e);
    }
    if (classes.isEmpty()) {
      LOGGER.atWarn().addKeyValue("teacher", declared.id()).addKeyValue("classes", declared.classes())
          .log("the remote model's metadata names no classes; trusting teacher.json's");
      classes = declared.classes();
    } else if (!classes.equals(declared.classes())) {
      throw new TeacherException(where + " has classes " + classes + ", but teacher.json says " + declared.classes()
          + ": refusing a teacher whose classes are not the ones declared");
    }
    String version = options.modelVersion();
    if (version == null) {
      JsonNode versions = metadata.path("versions");
      version = versions.isArray() && !versions.isEmpty() ? versions.get(versions.size() - 1).asText()
          : declared.version();
    }
    int embeddingWidth = 0;
    for (JsonNode output : metadata.path("outputs")) {
      if (OipTensors.EMBEDDING.equals(output.path("name").asText())) {
        JsonNode shape = output.path("shape");
        embeddingWidth = shape.size() == 2 && shape.get(1).asInt() > 0 ? shape.get(1).asInt() : 0;
      }
    }
    if (!declared.takesText() && !declared.takesFields()) {
      JsonNode input = metadata.path("inputs").path(0);
      JsonNode shape = input.path("shape");
      if (shape.size() == 2 && shape.get(1).asInt() > 0 && shape.get(1).asInt() != declared.vectorWidth()) {
        throw new TeacherException(where + " takes vectors of " + shape.get(1).asInt() + ", but teacher.json says "
            + declared.vectorWidth());
      }
    }
    return new TeacherDescriptor(declared.id(), version, declared.kind(), classes, declared.input(),
        declared.vectorWidth(), embeddingWidth, declared.files(), declared.metrics(), declared.options());
  }

  static String inputName(TeacherDescriptor teacher, JsonNode metadata) {
    JsonNode inputs = metadata.path("inputs");
    if (inputs.isArray() && !inputs.isEmpty() && inputs.get(0).hasNonNull("name")) {
      if (inputs.size() > 1) {
        // Our own server lists every teacher's input under the ensemble's name; pick ours by name.
        for (JsonNode input : inputs) {
          if (OipTensors.inputName(teacher).equals(input.path("name").asText())) {
            return input.get("name").asText();
          }
        }
      }
      return inputs.get(0).get("name").asText();
    }
    return OipTensors.inputName(teacher);
  }

  /** {@code GET} the model metadata, with the options' timeout and retries. */
  static JsonNode metadata(OipOptions options) {
    JsonNode json = RemoteLoading.call(options, options.request(options.modelUri()).GET().build(),
        "the model metadata");
    if (json == null) {
      throw new TeacherException("the inference server at " + options.url() + " has no model '" + options.model()
          + "'" + (options.modelVersion() == null ? "" : " version " + options.modelVersion()));
    }
    if (!json.isObject()) {
      throw new TeacherException("the model metadata at " + options.modelUri() + " is not a JSON object");
    }
    return json;
  }

  /** For tests: a loaded teacher with the given breaker and way of waiting. */
  static RemoteTeacher load(TeacherDescriptor declared, OipOptions options, CircuitBreaker breaker,
      RemoteTeacher.Sleeper sleeper) {
    JsonNode metadata = metadata(options);
    TeacherDescriptor resolved = resolve(declared, options, metadata);
    return new RemoteTeacher(resolved, options, new OipProtocol(resolved, options, inputName(resolved, metadata)),
        breaker, sleeper);
  }
}
