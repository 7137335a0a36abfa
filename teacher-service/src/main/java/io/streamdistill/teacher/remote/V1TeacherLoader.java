package io.streamdistill.teacher.remote;

import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Loads a remote teacher served with the v1 predict protocol ({@link V1Protocol}): kind {@code v1}, for a model
 * behind TensorFlow Serving, KServe v1 or MLflow. Like {@code oip}, the directory holds only a teacher.json; unlike
 * it, the protocol has no metadata, so teacher.json's classes, input and vector width are the contract, and every
 * answer is checked against them.
 *
 * <pre>{@code
 * {
 *   "id": "sentiment", "version": "remote", "kind": "v1",
 *   "classes": ["negative", "positive"], "input": "text", "vectorWidth": 0, "embeddingWidth": 0,
 *   "files": {},
 *   "options": {"url": "http://tf-serving:8501", "model": "sentiment", "outputs": "auto",
 *               "timeoutMs": "2000", "retries": "2"}
 * }
 * }</pre>
 *
 * <p>Options: those of {@link OipOptions} (url, model, modelVersion, timeouts, retries, the breaker) and
 * {@link V1Protocol#OPTIONS}. Nothing is called at load: the first batch (or {@code import-teacher}'s probe) finds a
 * server that is not there, with its address in the message.
 */
public final class V1TeacherLoader implements TeacherLoader {
  /** The kind in teacher.json. */
  public static final String KIND = "v1";

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Teacher load(Path dir, TeacherDescriptor descriptor) {
    return RemoteLoading.load(dir, descriptor, KIND, V1Protocol.OPTIONS,
        (d, call) -> V1Protocol.of(d, call, d.options()),
        "v1 predict protocol");
  }


  /**
   * Writes the {@code teacher.json} of a model behind a v1 predict server into {@code dir}. The protocol says nothing
   * of the model, so the caller says it all.
   *
   * @param classes the classes in the order of the model's outputs
   * @param input {@code text}, {@code vector} or {@code structured}
   * @param vectorWidth a vector input's width; 0 otherwise
   * @param version the version soft labels carry, or null for {@code remote}
   * @param options the teacher.json options ({@code url}, {@code model}, ...)
   * @throws IllegalArgumentException naming what the caller must give or change
   */
  public static TeacherDescriptor describe(Path dir, String id, String version, List<String> classes, String input,
      int vectorWidth, Map<String, String> options) {
    OipOptions call = OipOptions.parse(options, KIND, V1Protocol.OPTIONS);
    String where = "the model " + call.model() + " at " + call.url() + " (v1 predict protocol, which describes no"
        + " model)";
    if (classes == null || classes.isEmpty()) {
      throw new IllegalArgumentException(where + ": give its classes in the order of its outputs with --classes");
    }
    if (input == null) {
      throw new IllegalArgumentException(where + ": say what it takes with --input text, vector or structured");
    }
    if (TeacherDescriptor.VECTOR.equals(input) && vectorWidth <= 0) {
      throw new IllegalArgumentException(where + ": give the width of the vectors it takes with --vector-width");
    }
    TeacherDescriptor descriptor = new TeacherDescriptor(id, version == null ? "remote" : version, KIND, classes,
        input, TeacherDescriptor.VECTOR.equals(input) ? vectorWidth : 0, 0, Map.of(), Map.of(), options);
    V1Protocol.of(descriptor, call, options); // its own options checked before anything is written
    return TeacherDirectory.write(dir, descriptor, List.of());
  }
}
